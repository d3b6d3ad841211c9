import ConnectionErrors
import Memberlist
import NIOCore
import NIOPosix

// What serftop's commands and dashboard use: the MembershipSource interface.
extension SerfMember: MembershipSource {
    /// memberlist's own records: suspicions with their reporter, refutations.
    public nonisolated var reportsStatusChanges: Bool { true }

    public func members() async throws -> [Member] { node.members }

    public func events() async throws -> AsyncThrowingStream<SerfEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: SerfEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        let id = nextSubscriber
        nextSubscriber += 1
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        if !running { continuation.finish() }
        return stream
    }

    func unsubscribe(_ id: Int) { subscribers[id] = nil }

    public func sendUserEvent(name: String, payload: [UInt8], coalesce: Bool) async throws {
        guard running else { throw SerfMemberError.notRunning }
        apply(try node.sendUserEvent(name: name, payload: payload, coalesce: coalesce))
    }

    /// Waits until the events we sent have been gossiped as often as Serf
    /// gossips anything (or `limit` passes). `serftop event` waits for this
    /// before leaving, so the event is not lost with us.
    public func waitUntilEventsGossiped(limit: Duration = .seconds(5)) async {
        await wait(for: .eventsGossiped, limit: limit)
    }

    public func query(_ request: QueryRequest) async throws -> AsyncThrowingStream<QueryReply, any Error> {
        guard running else { throw SerfMemberError.notRunning }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: QueryReply.self)
        let (ltime, step) = try node.sendQuery(request, now: now)
        queryStreams[ltime] = continuation
        apply(step)
        return stream
    }

    public func querySender() async throws -> (name: String, queryTime: UInt64) {
        (config.nodeName, node.memberlist.delegate.queryClock.time)
    }

    public func respond(to query: QueryEvent, payload: [UInt8]) async throws {
        guard running else { throw SerfMemberError.notRunning }
        apply(try node.respond(to: query.id, payload: payload, now: now))
    }

    /// Joins through every address at once (push/pull over TCP); succeeds if
    /// any answers. Events from before the join are not replayed unless
    /// configured.
    public func join(_ addresses: [String]) async throws -> Int {
        guard running else { throw SerfMemberError.notRunning }
        var targets: [(String, Endpoint)] = []
        var failures: [String: String] = [:]
        for text in addresses {
            do {
                targets.append((text, try await Self.resolve(text)))
            } catch {
                failures[text] = "\(error)"
            }
        }
        let local = node.localPushPull(join: true, now: now)
        let timeout = config.tcpTimeout
        let replies = await withTaskGroup(of: SeedReply.self) { group in
            for (text, endpoint) in targets {
                group.addTask {
                    do {
                        return SeedReply(seed: text, message: try await self.exchange(.pushPull(local), with: endpoint, timeout: timeout))
                    } catch {
                        return SeedReply(seed: text, failure: Self.explain(error))
                    }
                }
            }
            var all: [SeedReply] = []
            for await r in group { all.append(r) }
            return all
        }
        node.beginJoin(ignoreOld: !config.replayOldEvents)
        var joined = 0
        var steps: [SerfStep] = []
        for reply in replies {
            let text = reply.seed
            switch reply.message {
            case .pushPull(let state)?:
                do {
                    steps.append(try node.mergeRemoteState(state, now: now))
                    joined += 1
                } catch {
                    failures[text] = "\(error)"
                }
            case .error(let e)?:
                failures[text] = "refused: \(e.error)"
            case .some:
                failures[text] = "answered with something other than its state"
            case nil:
                failures[text] = reply.failure
            }
        }
        steps.append(node.endJoin(successes: joined, now: now))
        for step in steps { apply(step) }
        if joined == 0 && !addresses.isEmpty { throw SerfMemberError.noSeedReachable(failures) }
        return joined
    }

    public func close() async throws { try await leave() }

    /// Leaves gracefully (others see us `left`), then closes the sockets.
    public func leave() async throws {
        guard running else { return }
        apply(node.beginLeave(now: now))
        await wait(for: .leaveComplete)
        await shutdown()
    }

    /// `host[:port]` to an endpoint; host names are looked up off the event loop.
    static func resolve(_ text: String) async throws -> Endpoint {
        guard let (host, port) = splitHostPort(text, defaultPort: 7946) else { throw SerfMemberError.badAddress(text) }
        if let e = Endpoint(ipv4: host, port: UInt16(port)) { return e }
        if let v6 = parseIPv6(host) { return Endpoint(ip: v6, port: UInt16(port)) }
        let address = try await Task.detached {
            try SocketAddress.makeAddressResolvingHost(host, port: port)
        }.value
        guard let e = Endpoint(address) else { throw SerfMemberError.badAddress(text) }
        return e
    }

    /// What a seed's failure means for a join, from the error itself.
    static func explain(_ error: any Error) -> String {
        let failure = ConnectionFailure(error)
        return failure == .refused ? "connection refused (nothing listens there)" : "\(failure)"
    }
}

/// One seed's answer to a join. A plain struct: a task group of tuples
/// holding `Result<_, any Error>` crashed in optimised builds.
struct SeedReply: Sendable {
    var seed: String
    var message: StreamMessage?
    var failure = ""

    init(seed: String, message: StreamMessage) {
        self.seed = seed
        self.message = message
    }

    init(seed: String, failure: String) {
        self.seed = seed
        self.failure = failure
    }
}
