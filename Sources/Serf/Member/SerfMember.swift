import Logging
import Memberlist
import NIOCore
import NIOPosix

/// serftop's own member of a Serf cluster: the pure `SerfNode` driven by real
/// UDP and TCP sockets and the real clock. It joins as a peer of the agents,
/// so no agent is needed where the operator sits.
public actor SerfMember {
    public let config: SerfMemberConfig
    let logger: Logger
    let group: any EventLoopGroup
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
    var tasks: [Task<Void, Never>] = []
    var subscribers: [Int: AsyncThrowingStream<SerfEvent, any Error>.Continuation] = [:]
    var queryStreams: [UInt64: AsyncThrowingStream<QueryReply, any Error>.Continuation] = [:]
    var nextSubscriber = 0
    var running = false
    var timerSleep: (deadline: Duration, task: Task<Void, Never>)?
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
        let (udp, tcp, inbox) = try await bindGossipPorts(host: config.bindHost, port: config.bindPort, group: group,
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
                                          logger: logger, group: group, inbox: inbox, limits: limits)
        await member.attach(udp: udp, tcp: tcp)
        return member
    }

    init(config: SerfMemberConfig, advertise: Endpoint, keyring: Keyring?, logger: Logger,
         group: any EventLoopGroup, inbox: Inbox, limits: StreamLimits) async throws {
        self.config = config
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

    /// Applies whatever the core asked for, and hands its news to subscribers.
    func flush() {
        for effect in node.drainEffects() { perform(effect) }
        for output in node.drainOutputs() { deliver(output) }
        rescheduleTimerIfSooner()
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

    /// The timer loop sleeps until the core's next deadline and no longer:
    /// an idle member wakes about once a second (the probe), not ten times.
    /// Input that brings a deadline forward cuts the sleep short (`flush`).
    func startTimers() {
        running = true
        tasks.append(Task { [weak self] in
            while let self, await self.running {
                await self.sleepUntilNextDeadline()
                await self.tick()
            }
        })
    }

    func sleepUntilNextDeadline() async {
        let deadline = node.nextDeadline
        let wait = deadline - now
        guard wait > .zero else { return }
        let sleep = Task { _ = try? await Task.sleep(for: wait) }
        timerSleep = (deadline, sleep)
        await withTaskCancellationHandler { await sleep.value } onCancel: { sleep.cancel() }
        timerSleep = nil
    }

    /// Wakes the timer loop early when the core now wants it sooner.
    func rescheduleTimerIfSooner() {
        if let timerSleep, node.nextDeadline < timerSleep.deadline { timerSleep.task.cancel() }
    }

    func tick() {
        guard running else { return }
        node.tick(now: now)
        flush()
    }

    /// Stops the sockets and timers without telling anyone (see `leave`).
    public func shutdown() async {
        running = false
        for task in tasks { task.cancel() }
        tasks.removeAll()
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
