@testable import Memberlist
import Testing

/// Remembers what memberlist told the layer above, so tests can check that a
/// state change was (or was not) reported.
struct RecordingDelegate: MemberlistDelegate {
    var joins: [String] = []
    var leaves: [String] = []
    var updates: [String] = []

    var hasBroadcasts: Bool { false }
    mutating func notifyMessage(_ message: [UInt8], context: inout DelegateContext) {}
    mutating func broadcasts(overhead: Int, limit: Int, context: inout DelegateContext) -> [[UInt8]] { [] }
    func localState(join: Bool, context: DelegateContext) -> [UInt8] { [] }
    mutating func mergeRemoteState(_ state: [UInt8], join: Bool, context: inout DelegateContext) {}
    mutating func notifyJoin(_ node: NodeInfo, context: inout DelegateContext) { joins.append(node.name) }
    mutating func notifyLeave(_ node: NodeInfo, context: inout DelegateContext) { leaves.append(node.name) }
    mutating func notifyUpdate(_ node: NodeInfo, context: inout DelegateContext) { updates.append(node.name) }
}

/// One packet the core asked to send, with its commands decoded.
struct SentPacket {
    let at: Duration
    let to: Endpoint
    let messages: [Message]
    let crc: Bool
}

/// One memberlist ("me") among scripted peers, on a clock owned by the test.
///
/// Peers are only names and addresses: what they say is whatever the test
/// feeds in. Peers listed in `answering` ack our UDP pings at once, which
/// keeps probing from interfering with rules that are about something else.
struct RuleSim {
    static let me = "me"
    static let myEndpoint = Endpoint(ip: [10, 0, 0, 1], port: 7946)
    static let oldProtocol = ProtocolVersions(bytes: [1, 2, 2, 2, 5, 5])!
    /// Understands nacks (>= 4) but not the CRC wrapper (5).
    static let protocol4 = ProtocolVersions(bytes: [1, 4, 2, 2, 5, 5])!

    var ml: Memberlist<RecordingDelegate>
    var now: Duration = .zero
    private(set) var peers: [String] = []
    private var endpoints: [String: Endpoint] = [:]
    var answering: Set<String> = []
    /// Every packet sent since the last `clearLog`.
    private(set) var sent: [SentPacket] = []
    /// Other effects (push/pull, TCP pings) since the last `clearLog`.
    private(set) var otherEffects: [MemberlistEffect] = []
    private var probePings: [UInt32: Ping] = [:]
    private var claimedProbe: UInt32?

    /// Peer names of equal length, so that messages about them are of equal size.
    static func names(_ count: Int) -> [String] {
        (2 ..< count + 2).map { $0 < 10 ? "n0\($0)" : "n\($0)" }
    }

    /// Starts with every peer alive at incarnation 1, an empty broadcast
    /// queue, and periodic push/pull out of the way (it has its own tests).
    init(peers names: [String], versions: [String: ProtocolVersions] = [:],
         configure: (inout MemberlistConfig) -> Void = { _ in }) {
        var config = MemberlistConfig(name: Self.me, advertise: Self.myEndpoint)
        configure(&config)
        ml = Memberlist(config: config, delegate: RecordingDelegate(), now: .zero, seed: 42)
        for name in names {
            addPeer(name, versions: versions[name] ?? .serfAgent)
        }
        ml.nextPushPullAt = .seconds(1_000_000)
        ml.broadcasts = BroadcastQueue()
        ml.delegate = RecordingDelegate()
        _ = ml.drainEffects()
    }

    init(peerCount: Int, configure: (inout MemberlistConfig) -> Void = { _ in }) {
        self.init(peers: Self.names(peerCount), configure: configure)
    }

    // MARK: - Peers

    mutating func addPeer(_ name: String, versions: ProtocolVersions = .serfAgent, meta: [UInt8] = []) {
        let index = peers.count + 2
        let endpoint = Endpoint(ip: [10, 0, UInt8(index / 256), UInt8(index % 256)], port: 7946)
        peers.append(name)
        endpoints[name] = endpoint
        receive(.alive(alive(name, incarnation: 1, meta: meta, versions: versions)), from: name)
    }

    func endpoint(_ name: String) -> Endpoint {
        name == Self.me ? Self.myEndpoint : endpoints[name]!
    }

    func name(at endpoint: Endpoint) -> String? {
        if endpoint == Self.myEndpoint { return Self.me }
        return endpoints.first { $0.value == endpoint }?.key
    }

    func alive(_ name: String, incarnation: UInt32, meta: [UInt8] = [],
               versions: ProtocolVersions = .serfAgent, at endpoint: Endpoint? = nil) -> Alive {
        let to = endpoint ?? self.endpoint(name)
        return Alive(incarnation: incarnation, node: name, addr: to.ip, port: to.port, meta: meta, vsn: versions.bytes)
    }

    func pushState(_ name: String, incarnation: UInt32, state: NodeStateKind, meta: [UInt8] = []) -> PushNodeState {
        let e = endpoint(name)
        return PushNodeState(name: name, addr: e.ip, port: e.port, meta: meta, incarnation: incarnation,
                             state: state, vsn: ProtocolVersions.serfAgent.bytes)
    }

    // MARK: - Reading our view

    func state(_ name: String) -> NodeStateKind? { ml.nodes[name]?.state }
    func incarnation(_ name: String) -> UInt32? { ml.nodes[name]?.incarnation }

    /// What is waiting in the broadcast queue, decoded.
    var queued: [Message] { ml.broadcasts.items.map { try! Message.decode($0.bytes) } }

    /// Every command we sent, in order, with where it went.
    var sentMessages: [(to: Endpoint, message: Message)] {
        sent.flatMap { p in p.messages.map { (p.to, $0) } }
    }

    var tcpPings: [(to: Endpoint, ping: Ping, deadline: Duration)] {
        otherEffects.compactMap {
            if case .tcpPing(let to, let ping, let deadline) = $0 { return (to, ping, deadline) }
            return nil
        }
    }

    mutating func clearLog() {
        sent.removeAll()
        otherEffects.removeAll()
    }

    // MARK: - Driving

    mutating func receive(_ message: Message, from name: String) {
        let step = ml.receive(message, from: endpoint(name), now: now)
        collect(step)
    }

    /// Any other input, its step collected as the shell would carry it out.
    mutating func step(_ body: (inout Memberlist<RecordingDelegate>, Duration) throws -> MemberlistStep) rethrows {
        let step = try body(&ml, now)
        collect(step)
    }

    /// Runs every timer that falls due up to `target`, at its own instant.
    mutating func advance(to target: Duration) {
        var steps = 0
        while ml.nextDeadline <= target {
            now = Swift.max(now, ml.nextDeadline)
            let step = ml.tick(now: now)
            collect(step)
            steps += 1
            precondition(steps < 1_000_000, "timers do not advance")
        }
        now = Swift.max(now, target)
        let step = ml.tick(now: now)
        collect(step)
    }

    mutating func advance(by d: Duration) { advance(to: now + d) }

    /// Runs timers until a probe round is under way that no earlier call
    /// returned (it may have begun in the tick that ended the last one), and
    /// returns its ping. The round began at `now`.
    mutating func nextProbe(limit: Duration = .seconds(60)) -> Ping {
        let end = now + limit
        while true {
            if let round = ml.probe, round.seqNo != claimedProbe, let ping = probePings[round.seqNo] {
                claimedProbe = round.seqNo
                return ping
            }
            guard now < end else { break }
            now = Swift.max(now, Swift.min(ml.nextDeadline, end))
            let step = ml.tick(now: now)
            collect(step)
        }
        Issue.record("no probe started within \(limit)")
        return Ping(seqNo: 0, node: "")
    }

    mutating func collect(_ step: MemberlistStep) {
        var acks: [(String, UInt32)] = []
        for effect in step.effects {
            guard case .sendPacket(let to, let parts, let crc) = effect else {
                otherEffects.append(effect)
                continue
            }
            let messages = parts.map { try! Message.decode($0) }
            sent.append(SentPacket(at: now, to: to, messages: messages, crc: crc))
            for case .ping(let ping) in messages where ping.seqNo == ml.probe?.seqNo { probePings[ping.seqNo] = ping }
            if let peer = name(at: to), answering.contains(peer) {
                for case .ping(let ping) in messages where ping.node == peer { acks.append((peer, ping.seqNo)) }
            }
        }
        for (peer, seq) in acks {
            let step = ml.receive(.ack(AckResponse(seqNo: seq, payload: [])), from: endpoint(peer), now: now)
            collect(step)
        }
    }
}

extension Message {
    var ping: Ping? { if case .ping(let m) = self { return m }; return nil }
    var indirectPing: IndirectPingRequest? { if case .indirectPing(let m) = self { return m }; return nil }
    var ack: AckResponse? { if case .ack(let m) = self { return m }; return nil }
    var nack: NackResponse? { if case .nack(let m) = self { return m }; return nil }
    var suspect: Suspect? { if case .suspect(let m) = self { return m }; return nil }
    var alive: Alive? { if case .alive(let m) = self { return m }; return nil }
    var dead: Dead? { if case .dead(let m) = self { return m }; return nil }
}
