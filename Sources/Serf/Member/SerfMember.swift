import Logging
import Memberlist
import NIOCore
import NIOPosix

/// serftop's own member of a Serf cluster: the pure `SerfNode` driven by real
/// UDP and TCP sockets and the real clock. It joins as a peer of the agents,
/// so no agent is needed where the operator sits.
///
/// The actor runs on the event loop that owns its UDP socket: a datagram is
/// handled, and answered, in the same turn of the loop that read it, with no
/// queue or task between the socket and the core; the core's next deadline
/// is one timer on that loop.
public actor SerfMember {
    public let config: SerfMemberConfig
    let logger: Logger
    let group: any EventLoopGroup
    /// The loop of the UDP socket, the timer and this actor.
    nonisolated let loop: any EventLoop
    /// Held so that the unowned reference the runtime keeps stays valid.
    private nonisolated let executor: any SerialExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let clock = ContinuousClock()
    let started: ContinuousClock.Instant
    var node: SerfNode
    var packets: PacketCodec
    /// The stream codec in force: the inbox holds it, since new
    /// connections pick it up on the event loop.
    nonisolated var streams: StreamCodec { inbox.codec.withLockedValue { $0 } }
    var keyring: Keyring?
    var socket: GossipSocket?
    var tcp: (any Channel)?
    nonisolated let inbox: Inbox
    /// What inbound streams may hold, shared by every connection.
    nonisolated let limits: StreamLimits
    var sendFailures = SendFailures()
    /// Times the UDP socket had to be opened again.
    public internal(set) var rebinds = 0
    var subscribers: [Int: AsyncThrowingStream<SerfEvent, any Error>.Continuation] = [:]
    var queryStreams: [UInt64: AsyncThrowingStream<QueryReply, any Error>.Continuation] = [:]
    var nextSubscriber = 0
    var running = false
    /// The one timer, armed for the core's next deadline.
    var timer: (deadline: Duration, task: Scheduled<Void>)?
    /// Times the timer fired: an idle member should wake once per real
    /// deadline (about one probe a second), not on a polling beat.
    public private(set) var wakeUps = 0
    /// Callers waiting for the node to reach some state (left, events sent).
    var waiters = StateWaiters()
    /// Packets and streams from the network that could not be understood.
    public private(set) var dropped = 0
    public private(set) var lastDropReason: String?

    /// Where others reach us.
    public nonisolated let advertise: Endpoint

    /// Binds the gossip port; call `join` next. Throws a `SerfMemberError`
    /// that says what to do if the port is taken.
    public static func start(_ config: SerfMemberConfig, logger: Logger = Logger(label: "serftop.gossip"),
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> SerfMember {
        let keyring = config.keys.isEmpty ? nil : try Keyring(keys: config.keys)
        let limits = StreamLimits()
        let loop = group.next()
        let (udp, tcp, inbox) = try await bindGossipPorts(host: config.bindHost, port: config.bindPort, loop: loop, group: group,
                                                          codec: StreamCodec(keyring: keyring), limits: limits,
                                                          timeout: config.tcpTimeout)
        let boundPort = udp.port
        let ip: [UInt8]
        if let host = config.advertiseHost {
            guard let parsed = Endpoint(ipv4: host, port: 0)?.ip ?? parseIPv6(host) else {
                throw SerfMemberError.badAddress(host)
            }
            ip = parsed
        } else if config.bindHost == "0.0.0.0" || config.bindHost == "::" {
            ip = defaultAdvertiseIPv4()
        } else {
            ip = Endpoint(ipv4: config.bindHost, port: 0)?.ip ?? defaultAdvertiseIPv4()
        }
        let advertise = Endpoint(ip: ip, port: UInt16(config.advertisePort ?? boundPort))
        let member = try await SerfMember(config: config, advertise: advertise, keyring: keyring,
                                          logger: logger, group: group, loop: loop, inbox: inbox, limits: limits)
        await member.attach(udp: udp, tcp: tcp)
        return member
    }

    init(config: SerfMemberConfig, advertise: Endpoint, keyring: Keyring?, logger: Logger,
         group: any EventLoopGroup, loop: any EventLoop, inbox: Inbox, limits: StreamLimits) async throws {
        self.config = config
        self.loop = loop
        executor = loop.executor
        self.inbox = inbox
        self.limits = limits
        self.logger = logger
        self.group = group
        self.advertise = advertise
        self.keyring = keyring
        started = clock.now
        var ml: MemberlistConfig = config.profile == .local
            ? .local(name: config.nodeName, advertise: advertise)
            : MemberlistConfig(name: config.nodeName, advertise: advertise)
        ml.encryptionOverhead = keyring == nil ? 0 : Keyring.packetOverhead
        var serf = SerfConfig(nodeName: config.nodeName, tags: config.tags)
        config.tune(&serf, &ml)
        node = try SerfNode(memberlist: ml, serf: serf, now: .zero, seed: UInt64.random(in: 0 ... .max))
        packets = PacketCodec(keyring: keyring)
    }

    var now: Duration { clock.now - started }

    public var name: String { config.nodeName }

    /// The member list as this node sees it.
    public var currentMembers: [Member] { node.members }

    /// Carries out what one input to the core asked for, hands its news to
    /// subscribers, wakes whoever waits for the state it reached, and
    /// re-arms the timer to the core's next deadline.
    func apply(_ step: SerfStep) {
        for effect in step.effects { perform(effect) }
        for change in step.statusChanges {
            for continuation in subscribers.values { continuation.yield(.status(change)) }
        }
        for output in step.outputs { deliver(output) }
        waiters.resume { isReached($0) }
        armTimer(step.nextDeadline)
    }

    func deliver(_ output: SerfOutput) {
        switch output {
        case .event(.query(let q)) where q.name.hasPrefix("_serf_"):
            answerInternalQuery(q)
        case .event(let event):
            for continuation in subscribers.values { continuation.yield(event) }
        case .queryReply(let ltime, let reply):
            queryStreams[ltime]?.yield(reply)
        case .queryDone(let ltime):
            queryStreams.removeValue(forKey: ltime)?.finish()
        case .dropped(let reason):
            noteDropped(reason)
        }
    }

    func noteDropped(_ reason: String) {
        dropped += 1
        lastDropReason = reason
        logger.debug("dropped: \(reason)")
    }

    /// Keeps the one timer set for the core's next deadline, earlier or later
    /// than before: a timer left at a stale deadline is a wasted wake-up.
    func armTimer(_ deadline: Duration) {
        guard running else { return }
        if let timer, timer.deadline == deadline { return }
        timer?.task.cancel()
        let wait = max(deadline - now, .zero)
        let task = loop.scheduleTask(in: TimeAmount(wait)) { [weak self] () -> Void in
            self?.assumeIsolated { $0.timerFired() }
        }
        timer = (deadline, task)
    }

    func timerFired() {
        timer = nil
        wakeUps += 1
        tick()
    }

    func tick() {
        guard running else { return }
        apply(node.tick(now: now))
    }

    /// Stops the sockets and timers without telling anyone (see `leave`).
    public func shutdown() async {
        running = false
        timer?.task.cancel()
        timer = nil
        waiters.resumeAll()
        await socket?.close()
        try? await tcp?.close()
        socket = nil
        tcp = nil
        for c in subscribers.values { c.finish() }
        subscribers.removeAll()
        for c in queryStreams.values { c.finish() }
        queryStreams.removeAll()
    }
}

func parseIPv6(_ text: String) -> [UInt8]? {
    var addr = in6_addr()
    guard inet_pton(AF_INET6, text, &addr) == 1 else { return nil }
    return withUnsafeBytes(of: addr) { Array($0) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
