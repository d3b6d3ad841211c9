/// A local serf agent followed across the loss of its RPC connection: the
/// agent restarts under s6, or stops answering and its connection is given
/// up. A dashboard on the balancer host must not freeze on the list it saw
/// last: every call after a loss connects again (at most once a second), and
/// the event streams resume on the new connection, saying so with a notice.
public actor AgentSession: MembershipSource {
    public nonisolated let address: String
    private let open: @Sendable () async throws -> SerfAgentClient
    private var client: SerfAgentClient?
    private var connecting: Task<SerfAgentClient, any Error>?
    private var failedAt: ContinuousClock.Instant?
    private var lastFailure: (any Error)?
    private var closed = false
    /// Between two attempts to connect again.
    let retryInterval: Duration
    /// How long the agent may say nothing before a stream asks it something.
    /// A stopped agent keeps its connection and sends nothing, which a
    /// reader that only listens (`serftop monitor --rpc`) would take for a
    /// quiet cluster for ever; the probe's own bound turns it into a loss.
    let heartbeat: Duration
    /// When the agent last answered a call on this session.
    private var lastAnswer = ContinuousClock.now

    /// The first connection is made here, so that a wrong address or key is
    /// said at once, as `SerfAgentClient.connect` says it.
    public static func connect(_ address: String, authKey: String? = nil, timeout: Duration = .seconds(5),
                               callTimeout: Duration = SerfAgentClient.defaultCallTimeout,
                               retryInterval: Duration = .seconds(1), heartbeat: Duration = .seconds(5)) async throws -> AgentSession {
        let open: @Sendable () async throws -> SerfAgentClient = {
            try await SerfAgentClient.connect(address, authKey: authKey, timeout: timeout, callTimeout: callTimeout)
        }
        let first = try await open()
        return AgentSession(address: first.address, client: first, retryInterval: retryInterval, heartbeat: heartbeat,
                            open: open)
    }

    private init(address: String, client: SerfAgentClient, retryInterval: Duration, heartbeat: Duration,
                 open: @escaping @Sendable () async throws -> SerfAgentClient) {
        self.address = address
        self.client = client
        self.retryInterval = retryInterval
        self.heartbeat = heartbeat
        self.open = open
    }

    /// The live connection, or a new one; within `retryInterval` of a failed
    /// attempt's end, that attempt's error. Callers that come while an
    /// attempt is under way share it: one connection, not one each.
    private func current() async throws -> SerfAgentClient {
        if closed { throw AgentRPCError.disconnected(address: address) }
        if let client { return client }
        if let failedAt, let lastFailure, ContinuousClock.now < failedAt + retryInterval { throw lastFailure }
        let attempt: Task<SerfAgentClient, any Error>
        if let connecting {
            attempt = connecting
        } else {
            let open = self.open
            attempt = Task { try await open() }
            connecting = attempt
        }
        do {
            let fresh = try await attempt.value
            if connecting == attempt { connecting = nil }
            if closed {
                try? await fresh.close()
                throw AgentRPCError.disconnected(address: address)
            }
            if client == nil {
                client = fresh
                lastFailure = nil
            }
            return client ?? fresh
        } catch {
            if connecting == attempt {
                connecting = nil
                failedAt = .now
                lastFailure = error
            }
            throw error
        }
    }

    /// Runs `body` on the connection; a loss of it is forgotten, so the next
    /// call connects again.
    private func using<T: Sendable>(_ body: @Sendable (SerfAgentClient) async throws -> T) async throws -> T {
        let c = try await current()
        do {
            let answer = try await body(c)
            lastAnswer = .now
            return answer
        } catch let error as AgentRPCError where error.isConnectionLoss {
            forget(c)
            throw error
        }
    }

    public func members() async throws -> [Member] { try await using { try await $0.members() } }

    public func sendUserEvent(name: String, payload: [UInt8], coalesce: Bool) async throws {
        try await using { try await $0.sendUserEvent(name: name, payload: payload, coalesce: coalesce) }
    }

    public func query(_ request: QueryRequest) async throws -> AsyncThrowingStream<QueryReply, any Error> {
        try await using { try await $0.query(request) }
    }

    public func querySender() async throws -> (name: String, queryTime: UInt64) {
        try await using { try await $0.querySender() }
    }

    public func respond(to query: QueryEvent, payload: [UInt8]) async throws {
        try await using { try await $0.respond(to: query, payload: payload) }
    }

    public func join(_ addresses: [String]) async throws -> Int { try await using { try await $0.join(addresses) } }

    public func events() async throws -> AsyncThrowingStream<SerfEvent, any Error> {
        resumingStream { try await $0.events() } notice: { .notice($0) }
    }

    /// A tick after every reconnection too: whatever changed while the agent
    /// was away is read then.
    public func membershipChanges() async throws -> AsyncThrowingStream<Void, any Error> {
        resumingStream { try await $0.membershipChanges() } notice: { _ in () }
    }

    public func close() async throws {
        closed = true
        try? await client?.close()
        client = nil
    }

    /// One stream across connections: each is subscribed to in turn; a
    /// loss yields `notice` once, and the return yields it again.
    private nonisolated func resumingStream<T: Sendable>(
        _ subscribe: @escaping @Sendable (SerfAgentClient) async throws -> AsyncThrowingStream<T, any Error>,
        notice: @escaping @Sendable (String) -> T
    ) -> AsyncThrowingStream<T, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var lost: String?
                while !Task.isCancelled {
                    var used: SerfAgentClient?
                    do {
                        let c = try await self.current()
                        used = c
                        let records = try await subscribe(c)
                        if lost != nil {
                            continuation.yield(notice("the serf agent at \(self.address) answers again"))
                            lost = nil
                        }
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask { for try await record in records { continuation.yield(record) } }
                            group.addTask { try await self.probe(c) }
                            try await group.next()
                            group.cancelAll()
                        }
                        // Our reader going away ends the records too, and
                        // is no loss: the connection serves others.
                        if Task.isCancelled { break }
                        if await self.closed { break }
                        throw AgentRPCError.disconnected(address: self.address)
                    } catch let error as AgentRPCError where error.isConnectionLoss {
                        if Task.isCancelled { break }
                        if await self.closed { break }
                        if let used { await self.forget(used) }
                        if lost == nil {
                            lost = "\(error)"
                            continuation.yield(notice("\(error); connecting again every \(self.retryInterval)"))
                        }
                    } catch is CancellationError {
                        break
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                    try? await Task.sleep(for: self.retryInterval)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Asks the agent for its stats whenever it has answered nothing for
    /// `heartbeat`; returns only by throwing (a loss, or cancellation).
    private func probe(_ c: SerfAgentClient) async throws {
        while true {
            try await Task.sleep(until: lastAnswer + heartbeat)
            guard ContinuousClock.now >= lastAnswer + heartbeat else { continue }
            _ = try await c.stats()
            lastAnswer = .now
        }
    }

    /// Drops a connection that failed, unless a newer one replaced it.
    private func forget(_ c: SerfAgentClient) {
        guard client === c else { return }
        client = nil
        Task { try? await c.close() }
    }
}

extension AgentRPCError {
    /// The connection is gone or useless; the agent itself may be fine.
    var isConnectionLoss: Bool {
        switch self {
        case .cannotConnect, .disconnected, .noAnswer, .unexpectedReply: return true
        case .agent, .authRequired: return false
        }
    }
}
