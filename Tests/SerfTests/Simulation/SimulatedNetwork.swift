import Memberlist
import Serf

/// Many native members on one simulated network with one simulated clock:
/// packets are delivered after a latency, may be lost or cut by partitions,
/// and time only moves when the simulation says so. No sockets, no sleeps.
///
/// Everything crosses the network as bytes, through the same packet and
/// stream codecs the real member uses, and a TCP exchange takes the round
/// trips it takes on a real link: a reply that would land after its
/// deadline counts as no reply, as it does for the real shell.
struct SimulatedNetwork {
    struct Pending {
        var at: Duration
        var order: Int
        var what: Delivery
    }

    enum Delivery {
        /// A datagram, as the receiver's socket would hand it over.
        case packet(to: Int, from: Endpoint, bytes: [UInt8])
        /// The outcome of a TCP ping, reported to the prober.
        case tcpPingDone(at: Int, seqNo: UInt32, acked: Bool)
        /// A push/pull's bytes arriving at its target, who answers.
        case pushPullRequest(from: Int, to: Int, bytes: [UInt8])
        /// The target's answer arriving back at the initiator.
        case pushPullReply(at: Int, bytes: [UInt8])
    }

    static let packets = PacketCodec(keyring: nil)
    static let streams = StreamCodec(keyring: nil)

    var nodes: [SerfNode?] = []
    var endpoints: [Endpoint] = []
    /// What each node's application heard, in order.
    var outputs: [[SerfOutput]] = []
    /// Each node's member status changes, as its steps reported them.
    var statusChanges: [[MemberStatusChange]] = []
    var now: Duration = .zero
    var latency: Duration = .milliseconds(2)
    /// Chance that a UDP packet is lost.
    var loss = 0.0
    /// Pairs of node indexes that cannot reach each other.
    var cut: Set<Pair> = []
    /// Nodes whose process is gone: they neither send nor receive.
    var crashed: Set<Int> = []
    var packetsSent = 0
    /// Times each node was woken for its deadline.
    var wakeUps: [Int] = []
    /// Packets and stream messages the codecs could not carry.
    var undecodable = 0
    private var queue: [Pending] = []
    private var order = 0
    private var rng: SplitMix64

    struct Pair: Hashable {
        let a: Int, b: Int
        init(_ x: Int, _ y: Int) { a = min(x, y); b = max(x, y) }
    }

    init(seed: UInt64 = 1) { rng = SplitMix64(seed: seed) }

    /// Adds a member named `name` with `tags`; returns its index.
    @discardableResult
    mutating func add(_ name: String, tags: [String: String] = [:], local: Bool = false) -> Int {
        let index = nodes.count
        let endpoint = Endpoint(ip: [10, 0, UInt8(index / 250), UInt8(index % 250 + 1)], port: 7946)
        var ml = local ? MemberlistConfig.local(name: name, advertise: endpoint) : MemberlistConfig(name: name, advertise: endpoint)
        ml.name = name
        let node = try! SerfNode(memberlist: ml, serf: SerfConfig(nodeName: name, tags: tags), now: now,
                                 seed: UInt64(index + 1) &* 0x9E37_79B9)
        nodes.append(node)
        endpoints.append(endpoint)
        outputs.append([])
        statusChanges.append([])
        wakeUps.append(0)
        return index
    }

    /// Replaces a crashed node with a fresh process of the same name.
    mutating func restart(_ index: Int, tags: [String: String] = [:]) {
        let endpoint = endpoints[index]
        let name = nodes[index]!.name
        let node = try! SerfNode(memberlist: MemberlistConfig(name: name, advertise: endpoint),
                                 serf: SerfConfig(nodeName: name, tags: tags), now: now, seed: UInt64(index + 1000))
        nodes[index] = node
        crashed.remove(index)
    }

    /// `joiner` joins through `seed` with a TCP push/pull, as `serf join` does.
    @discardableResult
    mutating func join(_ joiner: Int, via seed: Int) -> Bool {
        nodes[joiner]!.beginJoin(ignoreOld: true)
        let ok = pushPull(from: joiner, to: seed, join: true)
        let step = nodes[joiner]!.endJoin(successes: ok ? 1 : 0, now: now)
        apply(step, at: joiner)
        return ok
    }

    func reachable(_ a: Int, _ b: Int) -> Bool {
        !crashed.contains(a) && !crashed.contains(b) && !cut.contains(Pair(a, b))
    }

    /// Splits the nodes into two groups that cannot reach each other.
    mutating func partition(_ left: [Int], _ right: [Int]) {
        for a in left { for b in right { cut.insert(Pair(a, b)) } }
    }

    mutating func heal() { cut.removeAll() }

    mutating func crash(_ index: Int) { crashed.insert(index) }

    /// Runs the network until `time` has passed.
    mutating func run(for time: Duration) {
        let end = now + time
        while true {
            var next = end
            var nextNode: Int?
            for (i, node) in nodes.enumerated() where node != nil && !crashed.contains(i) {
                let d = node!.nextDeadline
                if d < next { next = d; nextNode = i }
            }
            let pendingIndex = queue.indices.min { (queue[$0].at, queue[$0].order) < (queue[$1].at, queue[$1].order) }
            if let p = pendingIndex, queue[p].at <= next {
                let pending = queue.remove(at: p)
                now = Swift.max(now, pending.at)
                deliver(pending.what)
                continue
            }
            guard let i = nextNode else { now = end; return }
            now = Swift.max(now, next)
            wakeUps[i] += 1
            let step = nodes[i]!.tick(now: now)
            apply(step, at: i)
        }
    }

    /// Runs until `condition` holds, or fails after `limit`.
    mutating func run(until limit: Duration, step: Duration = .milliseconds(100),
                      _ condition: (SimulatedNetwork) -> Bool) -> Bool {
        let end = now + limit
        while now < end {
            if condition(self) { return true }
            run(for: step)
        }
        return condition(self)
    }

    func status(of name: String, seenBy index: Int) -> MemberStatus? {
        nodes[index]?.members.first { $0.name == name }?.status
    }

    func memberEvents(_ index: Int, _ kind: MemberEventKind) -> [String] {
        outputs[index].compactMap {
            if case .event(.member(let k, let members)) = $0, k == kind { return members.map(\.name) }
            return nil
        }.flatMap { $0 }
    }

    func userEvents(_ index: Int) -> [UserEvent] {
        outputs[index].compactMap { if case .event(.user(let e)) = $0 { return e } else { return nil } }
    }

    // MARK: Plumbing

    private mutating func deliver(_ delivery: Delivery) {
        switch delivery {
        case .packet(let to, let from, let bytes):
            guard var node = nodes[to], !crashed.contains(to) else { return }
            guard let decoded = try? Self.packets.decodeEach(bytes) else { undecodable += 1; return }
            undecodable += decoded.failures.count
            let step = node.receive(decoded.messages, from: from, now: now)
            nodes[to] = node
            apply(step, at: to)
        case .tcpPingDone(let at, let seqNo, let acked):
            guard nodes[at] != nil, !crashed.contains(at) else { return }
            let step = nodes[at]!.tcpPingCompleted(seqNo: seqNo, acked: acked, now: now)
            apply(step, at: at)
        case .pushPullRequest(let from, let to, let bytes):
            guard var target = nodes[to], reachable(from, to), let request = decoded(bytes) else { return }
            let (reply, step) = target.receiveStream(request, from: endpoints[from], now: now)
            nodes[to] = target
            apply(step, at: to)
            guard let reply else { return }
            schedule(.pushPullReply(at: from, bytes: encoded(reply)), in: latency)
        case .pushPullReply(let at, let bytes):
            guard nodes[at] != nil, !crashed.contains(at), case .pushPull(let state)? = decoded(bytes) else { return }
            if let step = try? nodes[at]!.mergeRemoteState(state, now: now) { apply(step, at: at) }
        }
    }

    /// A stream message's bytes; a message the codec cannot encode is counted.
    mutating func encoded(_ message: StreamMessage) -> [UInt8] {
        guard let bytes = try? Self.streams.encode(message) else { undecodable += 1; return [] }
        return bytes
    }

    /// The message the receiving shell reads from `bytes`; counted when none.
    mutating func decoded(_ bytes: [UInt8]) -> StreamMessage? {
        guard let message = Self.decodeStream(bytes) else { undecodable += 1; return nil }
        return message
    }

    /// A message across a TCP stream: encoded, then read back in pieces.
    mutating func carry(_ message: StreamMessage) -> StreamMessage? { decoded(encoded(message)) }

    /// A stream message as the receiving shell reads it: in pieces.
    static func decodeStream(_ bytes: [UInt8]) -> StreamMessage? {
        var decoder = streams.decoder()
        var rest = bytes[...]
        while !rest.isEmpty {
            let piece = rest.prefix(512)
            rest = rest.dropFirst(piece.count)
            guard (try? decoder.append(piece)) != nil else { return nil }
            if let message = try? decoder.next() { return message }
        }
        return nil
    }

    private mutating func schedule(_ what: Delivery, in delay: Duration) {
        order += 1
        queue.append(Pending(at: now + delay, order: order, what: what))
    }

    private func index(of endpoint: Endpoint) -> Int? { endpoints.firstIndex(of: endpoint) }

    /// A push/pull completed at once: for `join`, which tests call as a step.
    @discardableResult
    private mutating func pushPull(from a: Int, to b: Int, join: Bool) -> Bool {
        guard reachable(a, b), var target = nodes[b] else { return false }
        let local = nodes[a]!.localPushPull(join: join, now: now)
        guard let request = carry(.pushPull(local)) else { return false }
        let (answer, step) = target.receiveStream(request, from: endpoints[a], now: now)
        nodes[b] = target
        apply(step, at: b)
        guard let answer, case .pushPull(let reply)? = carry(answer) else { return false }
        if let merged = try? nodes[a]!.mergeRemoteState(reply, now: now) { apply(merged, at: a) }
        return true
    }

    /// Carries out what a node asked for, and collects what its app heard.
    /// A TCP exchange costs a handshake and a request/reply: two round trips.
    mutating func apply(_ step: SerfStep, at i: Int) {
        guard nodes[i] != nil else { return }
        outputs[i] += step.outputs
        statusChanges[i] += step.statusChanges
        for effect in step.effects {
            switch effect {
            case .sendPacket(let to, let parts, let crc):
                packetsSent += 1
                guard let j = index(of: to), reachable(i, j) else { continue }
                if loss > 0 && Double.random(in: 0 ..< 1, using: &rng) < loss { continue }
                guard let bytes = try? Self.packets.encode(parts: parts, crc: crc) else { undecodable += 1; continue }
                schedule(.packet(to: j, from: endpoints[i], bytes: bytes), in: latency)
            case .pushPull(let to, let join):
                guard let j = index(of: to), reachable(i, j) else { continue }
                let local = nodes[i]!.localPushPull(join: join, now: now)
                schedule(.pushPullRequest(from: i, to: j, bytes: encoded(.pushPull(local))), in: latency * 3)
            case .tcpPing(let to, let ping, let deadline):
                let replyAt = now + latency * 4
                var acked = false
                if let j = index(of: to), reachable(i, j), replyAt <= deadline, var target = nodes[j],
                   let request = carry(.ping(ping)) {
                    let (answer, step) = target.receiveStream(request, from: endpoints[i], now: now)
                    nodes[j] = target
                    apply(step, at: j)
                    if let answer, case .ack(let ack)? = carry(answer) { acked = ack.seqNo == ping.seqNo }
                }
                let doneAt = acked ? replyAt : Swift.max(deadline, now)
                schedule(.tcpPingDone(at: i, seqNo: ping.seqNo, acked: acked), in: doneAt - now)
            }
        }
    }
}

/// Runs a simulation on its own thread. A long simulation is pure CPU; on
/// the Swift concurrency pool (two threads here) it would starve the tests
/// that drive real members in the same process.
func simulate(_ body: @escaping @Sendable () throws -> Void) async throws {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
        Thread { c.resume(with: Result { try body() }) }.start()
    }
}

import Foundation
