/// The SWIM membership protocol of hashicorp/memberlist 0.2.2, as a pure value.
///
/// No sockets and no clock: packets, stream results and the time come in as
/// arguments; what should happen goes out as `effects`. The same value runs a
/// real member (driven by the NIO shell) and hundreds of simulated ones in
/// tests, where the network and the clock belong to the test.
public struct Memberlist<Delegate: MemberlistDelegate>: Sendable {
    public internal(set) var config: MemberlistConfig
    public var delegate: Delegate

    /// Every node we know, ourselves included, by name.
    public internal(set) var nodes: [String: NodeRecord] = [:]
    /// Our own incarnation: raised to refute suspicion.
    public internal(set) var incarnation: UInt32 = 0
    /// True once `leave` was called: we no longer refute our own death.
    public internal(set) var hasLeft = false
    /// Counts of what arrived but was ignored, for diagnostics.
    public internal(set) var counters = Counters()

    var broadcasts = BroadcastQueue()
    var probeOrder: [String] = []
    var probeIndex = 0
    var probe: ProbeRound?
    var suspicions: [String: Suspicion] = [:]
    var relays: [UInt32: RelayedPing] = [:]
    var sequence: UInt32 = 0
    var awareness = 0
    var nextProbeAt: Duration
    var nextGossipAt: Duration
    var nextPushPullAt: Duration
    var rng: SplitMix64
    var outbox: [MemberlistEffect] = []
    var stateChanges: [NodeStateChange] = []
    var leaveToken: Int?
    private var nextToken = 0

    public struct Counters: Sendable, Equatable {
        public var pingsForOtherNodes = 0
        public var implausibleAlives = 0
        public var unknownAcks = 0
        public var incompatibleMerges = 0
        public var addressConflicts = 0
        /// Sends not made: the address came from the wire and cannot be a
        /// destination (port 0, unspecified, multicast or broadcast).
        public var unusableAddresses = 0
    }

    public init(config: MemberlistConfig, delegate: Delegate, now: Duration, seed: UInt64) {
        self.config = config
        self.delegate = delegate
        rng = SplitMix64(seed: seed)
        sequence = UInt32.random(in: 0 ... UInt32.max / 2, using: &rng)
        // Tickers start after a random stagger, so that members started
        // together do not probe and gossip in lockstep.
        nextProbeAt = now + config.probeInterval * Double.random(in: 0 ..< 1, using: &rng)
        nextGossipAt = now + config.gossipInterval * Double.random(in: 0 ..< 1, using: &rng)
        nextPushPullAt = now + config.pushPullInterval * Double.random(in: 0 ..< 1, using: &rng)
        // Announce ourselves: our own alive, queued for gossip.
        incarnation = 1
        aliveNode(selfAlive(), bootstrap: true, now: now)
    }

    // MARK: - Reading

    public var localName: String { config.name }

    /// The next time `tick` has something to do.
    public var nextDeadline: Duration {
        var t = nextPushPullAt
        if !broadcasts.isEmpty || delegate.hasBroadcasts { t = Swift.min(t, nextGossipAt) }
        if let probe {
            t = Swift.min(t, probe.indirectSent ? probe.deadline : probe.indirectAt)
        } else {
            t = Swift.min(t, nextProbeAt)
        }
        for s in suspicions.values { t = Swift.min(t, s.deadline) }
        for r in relays.values { t = Swift.min(t, r.expires) }
        return t
    }

    /// What the core wants done since the last call, in order. Every input
    /// returns this (MemberlistStep): it is how effects leave the core.
    mutating func drainEffects() -> [MemberlistEffect] {
        defer { outbox.removeAll(keepingCapacity: true) }
        return outbox
    }

    /// What the input just handled asks of the shell.
    mutating func step() -> MemberlistStep {
        MemberlistStep(effects: drainEffects(), stateChanges: drainStateChanges(), nextDeadline: nextDeadline)
    }

    /// Nodes counted for scaling (alive, suspect, and dead ones not yet forgotten).
    public var estimatedNodeCount: Int { nodes.count }

    /// True once our leave has been gossiped (or nobody was left to tell).
    public mutating func leaveBroadcastDone() -> Bool {
        collectFinished()
        if !nodes.values.contains(where: { $0.info.name != config.name && $0.state == .alive }) { return true }
        return leaveToken == nil
    }

    // MARK: - Input

    /// Handles the commands of one UDP packet, in order.
    public mutating func receive(_ messages: [Message], from source: Endpoint, now: Duration) -> MemberlistStep {
        for message in messages { handle(message, from: source, now: now) }
        return step()
    }

    public mutating func receive(_ message: Message, from source: Endpoint, now: Duration) -> MemberlistStep {
        handle(message, from: source, now: now)
        return step()
    }

    mutating func handle(_ message: Message, from source: Endpoint, now: Duration) {
        switch message {
        case .ping(let ping):
            guard ping.node.isEmpty || ping.node == config.name else {
                counters.pingsForOtherNodes += 1
                return
            }
            let ack = AckResponse(seqNo: ping.seqNo, payload: [])
            send(Message.ack(ack).encoded(), to: replyEndpoint(ping.sourceAddr, ping.sourcePort, or: source), now: now)
        case .indirectPing(let request):
            relayPing(request, from: source, now: now)
        case .ack(let ack):
            handleAck(ack, now: now)
        case .nack(let nack):
            if probe?.seqNo == nack.seqNo { probe?.nacks += 1 }
        case .suspect(let s):
            suspectNode(s, now: now)
        case .alive(let a):
            aliveNode(a, bootstrap: false, now: now)
        case .dead(let d):
            deadNode(d, now: now)
        case .user(let bytes):
            callDelegate(now: now) { d, ctx in d.notifyMessage(bytes, context: &ctx) }
        case .error:
            break
        }
    }

    /// Handles a TCP stream's message: the reply to write back, if any.
    public mutating func receiveStream(_ message: StreamMessage, from source: Endpoint, now: Duration)
        -> (reply: StreamMessage?, step: MemberlistStep) {
        let reply = handleStream(message, from: source, now: now)
        return (reply, step())
    }

    mutating func handleStream(_ message: StreamMessage, from source: Endpoint, now: Duration) -> StreamMessage? {
        switch message {
        case .pushPull(let remote):
            // Reply with our state first, then merge theirs, as Go does: the
            // peer gets our view even if theirs turns out incompatible.
            let reply = localPushPull(join: remote.join, now: now)
            try? merge(remote, now: now)
            return .pushPull(reply)
        case .ping(let ping):
            guard ping.node.isEmpty || ping.node == config.name else {
                counters.pingsForOtherNodes += 1
                return nil
            }
            return .ack(AckResponse(seqNo: ping.seqNo, payload: []))
        case .user(let bytes):
            callDelegate(now: now) { d, ctx in d.notifyMessage(bytes, context: &ctx) }
            return nil
        case .ack, .error:
            return nil
        }
    }

    /// Our full state for a push/pull (join, anti-entropy, or a reply).
    public func localPushPull(join: Bool, now: Duration) -> PushPull {
        let states = nodes.values.sorted { $0.info.name < $1.info.name }.map { r in
            PushNodeState(name: r.info.name, addr: r.info.endpoint.ip, port: r.info.endpoint.port,
                          meta: r.info.meta, incarnation: r.incarnation, state: r.state,
                          vsn: r.info.versions.bytes)
        }
        let context = makeContext(now: now)
        return PushPull(join: join, nodes: states, userState: delegate.localState(join: join, context: context))
    }

    /// Merges a peer's full state (the reply to our push/pull, or theirs).
    public mutating func mergeRemoteState(_ remote: PushPull, now: Duration) throws(IncompatibleProtocol) -> MemberlistStep {
        try merge(remote, now: now)
        return step()
    }

    mutating func merge(_ remote: PushPull, now: Duration) throws(IncompatibleProtocol) {
        do {
            try verifyProtocol(remote.nodes)
        } catch {
            counters.incompatibleMerges += 1
            throw error
        }
        for r in remote.nodes {
            switch r.state {
            case .alive:
                let a = Alive(incarnation: r.incarnation, node: r.name, addr: r.addr, port: r.port, meta: r.meta, vsn: r.vsn)
                aliveNode(a, bootstrap: false, now: now)
            case .left:
                deadNode(Dead(incarnation: r.incarnation, node: r.name, from: r.name), now: now)
            case .dead, .suspect:
                // Someone else's verdict is only a reason to suspect.
                suspectNode(Suspect(incarnation: r.incarnation, node: r.name, from: config.name), now: now)
            }
        }
        if !remote.userState.isEmpty {
            callDelegate(now: now) { d, ctx in d.mergeRemoteState(remote.userState, join: remote.join, context: &ctx) }
        }
    }

    /// The outcome of a TCP fallback ping the core asked for.
    public mutating func tcpPingCompleted(seqNo: UInt32, acked: Bool, now: Duration) -> MemberlistStep {
        if var round = probe, round.seqNo == seqNo {
            round.tcpPending = false
            probe = round
            if acked { probeSucceeded() }
        }
        return step()
    }

    /// Runs the timers that are due: probe, gossip, push/pull, suspicion.
    public mutating func tick(now: Duration) -> MemberlistStep {
        runTimers(now: now)
        return step()
    }

    mutating func runTimers(now: Duration) {
        expireSuspicions(now: now)
        expireRelays(now: now)
        advanceProbe(now: now)
        if now >= nextGossipAt {
            gossip(now: now)
            nextGossipAt = Swift.max(nextGossipAt + config.gossipInterval, now + config.gossipInterval / 2)
        }
        if now >= nextPushPullAt {
            pushPullRandomNode()
            nextPushPullAt = now + Scaling.pushPullInterval(config.pushPullInterval, nodes: nodes.count)
        }
        collectFinished()
    }

    /// Starts a graceful leave: we announce our own death with From = us, so
    /// others record us as left. Poll `leaveBroadcastDone` before going quiet.
    public mutating func leave(now: Duration) -> MemberlistStep {
        if !hasLeft {
            hasLeft = true
            nextToken += 1
            leaveToken = nextToken
            deadNode(Dead(incarnation: incarnation, node: config.name, from: config.name), now: now)
        }
        return step()
    }

    /// Changes our metadata (Serf tags): a new alive with a higher incarnation.
    public mutating func updateMeta(_ meta: [UInt8], now: Duration) -> MemberlistStep {
        config.meta = meta
        incarnation += 1
        aliveNode(selfAlive(), bootstrap: true, now: now)
        return step()
    }

    /// Queues a memberlist-level broadcast (used for our own alive).
    mutating func broadcast(_ message: Message, about node: String, token: Int? = nil) {
        broadcasts.enqueue(message.encoded(), name: node, token: token)
    }

    // MARK: - Helpers shared by the extensions

    func selfAlive() -> Alive {
        Alive(incarnation: incarnation, node: config.name, addr: config.advertise.ip,
              port: config.advertise.port, meta: config.meta, vsn: config.versions.bytes)
    }

    mutating func nextSequence() -> UInt32 {
        sequence &+= 1
        return sequence
    }

    func replyEndpoint(_ addr: [UInt8]?, _ port: UInt16?, or source: Endpoint) -> Endpoint {
        if let addr, !addr.isEmpty, let port, port != 0 { return Endpoint(ip: addr, port: port) }
        return source
    }

    /// Queues an effect for the shell. Every address here may have come from
    /// a peer; one that cannot be a destination is counted and goes no further.
    mutating func emit(_ effect: MemberlistEffect) {
        if let to = effect.destination, !to.isUsableDestination {
            counters.unusableAddresses += 1
            return
        }
        outbox.append(effect)
    }

    func makeContext(now: Duration) -> DelegateContext {
        DelegateContext(now: now, localName: config.name, advertise: config.advertise, nodes: nodes,
                        retransmitMult: config.retransmitMult, gossipInterval: config.gossipInterval)
    }

    /// How the layer above runs its own operations: a call into the
    /// delegate with a context, and what it asks of the shell.
    public mutating func withDelegate<R, E: Error>(
        now: Duration, _ body: (inout Delegate, inout DelegateContext) throws(E) -> R
    ) throws(E) -> (value: R, step: MemberlistStep) {
        let value = try callDelegate(now: now, body)
        return (value, step())
    }

    /// Calls into the delegate with a context, collecting the packets it wants sent.
    mutating func callDelegate<R, E: Error>(
        now: Duration, _ body: (inout Delegate, inout DelegateContext) throws(E) -> R
    ) throws(E) -> R {
        var context = makeContext(now: now)
        defer { for effect in context.effects { emit(effect) } }
        return try body(&delegate, &context)
    }

    mutating func collectFinished() {
        for token in broadcasts.collectFinished() where token == leaveToken {
            leaveToken = nil
        }
    }

    /// Picks up to `k` random nodes that pass `include`.
    mutating func randomNodes(_ k: Int, where include: (NodeRecord) -> Bool) -> [NodeRecord] {
        // Sorted first: dictionary order changes from process to process, and
        // the same seed must make the same choices.
        var candidates = nodes.values.filter(include).sorted { $0.info.name < $1.info.name }
        candidates.shuffle(using: &rng)
        return Array(candidates.prefix(k))
    }
}

public struct IncompatibleProtocol: Error, Sendable, Equatable, CustomStringConvertible {
    public let node: String
    public let version: UInt8
    public let range: ClosedRange<UInt8>?
    public let delegate: Bool

    public var description: String {
        let what = delegate ? "Serf protocol" : "memberlist protocol"
        if let range {
            return "node '\(node)' speaks \(what) \(version), outside what every member understands (\(range.lowerBound)–\(range.upperBound))"
        }
        return "node '\(node)' speaks \(what) \(version), and the cluster's members share no common version"
    }
}
