/// How serftop reads and acts on a Serf cluster. Two implementations: our own
/// gossip member (`SerfMember`), and a local agent over RPC (`SerfAgentClient`).
/// Everything above this line (dashboard, balancer, commands) uses only this.
public protocol MembershipSource: Sendable {
    /// Every member known, in every status, until reaped.
    func members() async throws -> [Member]
    /// Membership changes, user events and queries from now on. Each call is a
    /// new subscription; it ends when the source shuts down.
    func events() async throws -> AsyncThrowingStream<SerfEvent, any Error>
    /// Gossips a user event (`serf event`).
    func sendUserEvent(name: String, payload: [UInt8], coalesce: Bool) async throws
    /// Sends a query; the stream yields acks and responses and ends at the deadline.
    func query(_ request: QueryRequest) async throws -> AsyncThrowingStream<QueryReply, any Error>
    /// Who sends our queries, and its Lamport query time now: what a signed
    /// query is signed with (see `ActionKey`).
    func querySender() async throws -> (name: String, queryTime: UInt64)
    /// Answers a query delivered by `events()`.
    func respond(to query: QueryEvent, payload: [UInt8]) async throws
    /// Joins through the given `host[:port]` addresses; returns how many answered.
    func join(_ addresses: [String]) async throws -> Int
    /// Ticks soon after anything about the member list may have changed, so
    /// that a follower re-reads `members()` then instead of polling. A tick
    /// carries nothing to trust: the list is the truth.
    func membershipChanges() async throws -> AsyncThrowingStream<Void, any Error>
    /// Stops taking part. Our own member leaves the cluster gracefully (others
    /// see it `left`, never `failed`); an agent connection just disconnects
    /// and the agent stays in the cluster.
    func close() async throws
    /// Whether `events()` carries `.status` records (MemberStatusChange)
    /// beside the member events: what a member's history can tell.
    var reportsStatusChanges: Bool { get }
}

extension MembershipSource {
    /// An agent over RPC gives member events only.
    public nonisolated var reportsStatusChanges: Bool { false }

    /// `body`'s result, the source closed after it whether it returned or
    /// threw (a `defer` cannot wait for the close).
    public func closing<T>(isolation: isolated (any Actor)? = #isolation,
                           after body: () async throws -> T) async throws -> T {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        try? await close()
        return try result.get()
    }
}

extension MembershipSource {
    /// From the member events, for a source that delivers them as they happen.
    public func membershipChanges() async throws -> AsyncThrowingStream<Void, any Error> {
        relay(try await events()) { event -> Void? in
            if case .member = event { return () }
            return nil
        }
    }
}

public enum MemberEventKind: String, Sendable, Hashable, Codable, CaseIterable {
    case join = "member-join"
    case leave = "member-leave"
    case failed = "member-failed"
    case update = "member-update"
    case reap = "member-reap"
}

public struct UserEvent: Sendable, Hashable {
    public var ltime: UInt64
    public var name: String
    public var payload: [UInt8]
    public var coalesce: Bool

    public init(ltime: UInt64, name: String, payload: [UInt8], coalesce: Bool) {
        self.ltime = ltime
        self.name = name
        self.payload = payload
        self.coalesce = coalesce
    }
}

/// A query addressed to us. `id` identifies it to `respond(to:payload:)`: for
/// the RPC source it is the agent's per-connection ID, for the native member
/// the gossip ID.
public struct QueryEvent: Sendable, Hashable {
    public var id: UInt64
    public var ltime: UInt64
    public var name: String
    public var payload: [UInt8]
    /// Where the querier is, for logging; nil when the source does not say.
    public var from: String?

    public init(id: UInt64, ltime: UInt64, name: String, payload: [UInt8], from: String? = nil) {
        self.id = id
        self.ltime = ltime
        self.name = name
        self.payload = payload
        self.from = from
    }
}

public enum SerfEvent: Sendable, Hashable {
    case member(MemberEventKind, [Member])
    case user(UserEvent)
    case query(QueryEvent)
    /// Something about our own side that its operator should know (our
    /// member's gossip socket had to be opened again, the local agent went
    /// away and came back). Never from the network.
    case notice(String)
    /// memberlist's view of one member changed (MemberStatusChange). Only
    /// the native member reports these, beside the member events.
    case status(MemberStatusChange)
}

public struct QueryRequest: Sendable, Hashable {
    public var name: String
    public var payload: [UInt8]
    /// Only these nodes answer (empty: all).
    public var filterNodes: [String]
    /// Only members whose tag matches the regular expression answer.
    public var filterTags: [String: String]
    public var requestAck: Bool
    /// nil: Serf's default (GossipInterval × 16 × ceil(log10(N+1))).
    public var timeout: Duration?
    public var relayFactor: UInt8

    public init(name: String, payload: [UInt8] = [], filterNodes: [String] = [],
                filterTags: [String: String] = [:], requestAck: Bool = false,
                timeout: Duration? = nil, relayFactor: UInt8 = 0) {
        self.name = name
        self.payload = payload
        self.filterNodes = filterNodes
        self.filterTags = filterTags
        self.requestAck = requestAck
        self.timeout = timeout
        self.relayFactor = relayFactor
    }
}

public enum QueryReply: Sendable, Hashable {
    case ack(from: String)
    case response(from: String, payload: [UInt8])
}

extension MembershipSource {
    /// Sends `request`, signed with `key` when there is one.
    public func query(_ request: QueryRequest, signedWith key: ActionKey?) async throws -> AsyncThrowingStream<QueryReply, any Error> {
        guard let key else { return try await query(request) }
        let sender = try await querySender()
        var signed = request
        signed.payload = key.sign(query: request.name, payload: request.payload, sender: sender.name, ltime: sender.queryTime)
        return try await query(signed)
    }
}
