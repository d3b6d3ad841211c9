import Memberlist

/// Serf's membership, events and queries on top of memberlist, as a pure
/// value: memberlist calls it as its delegate, and it reports what the
/// application should hear through `outputs`.
public struct SerfCore: MemberlistDelegate {
    public internal(set) var config: SerfConfig

    /// Every member Serf knows, in every status, until reaped.
    public internal(set) var members: [String: MemberState] = [:]
    public internal(set) var clock = LamportClock()
    public internal(set) var eventClock = LamportClock()
    public internal(set) var queryClock = LamportClock()
    public internal(set) var lifecycle: Lifecycle = .alive

    var recentIntents: [String: NodeIntent] = [:]
    var eventBuffer: [UserEventBucket?]
    var eventMinTime: UInt64 = 0
    var ignoreEventsBeforeJoin = false
    var queryBuffer: [SeenQueries?]
    var queryMinTime: UInt64 = 0
    var intentQueue = BroadcastQueue()
    var eventQueue = BroadcastQueue()
    var queryQueue = BroadcastQueue()
    var outgoingQueries: [UInt64: OutgoingQuery] = [:]
    var incomingQueries: [UInt32: IncomingQuery] = [:]
    var nextReapAt: Duration
    var nextReconnectAt: Duration
    var rng: SplitMix64
    var nextToken = 0
    var outputs: [SerfOutput] = []
    var finishedIntents: Set<Int> = []

    public enum Lifecycle: String, Sendable { case alive, leaving, left }

    public struct MemberState: Sendable, Hashable {
        public var member: Member
        /// Where its gossip listeners are (`member.address` as bytes).
        public var endpoint: Endpoint
        /// The Lamport time of the last intent applied to this member.
        public var statusLTime: UInt64
        /// When it became failed or left (for reaping).
        public var leaveTime: Duration?
    }

    struct NodeIntent: Sendable {
        var isLeave: Bool
        var ltime: UInt64
        var at: Duration
    }

    struct SeenQueries: Sendable {
        var ltime: UInt64
        var ids: [UInt32]
    }

    struct OutgoingQuery: Sendable {
        var id: UInt32
        var name: String
        var deadline: Duration
        var acks: Set<String> = []
        var responses: Set<String> = []
    }

    struct IncomingQuery: Sendable {
        var ltime: UInt64
        var name: String
        var addr: [UInt8]
        var port: UInt16
        var sourceNode: String
        var relayFactor: UInt8
        var deadline: Duration
    }

    public init(config: SerfConfig, now: Duration, seed: UInt64) {
        self.config = config
        eventBuffer = Array(repeating: nil, count: config.eventBufferSize)
        queryBuffer = Array(repeating: nil, count: config.queryBufferSize)
        rng = SplitMix64(seed: seed ^ 0x5e4f)
        nextReapAt = now + config.reapInterval
        nextReconnectAt = now + config.reconnectInterval
    }

    /// What happened since the last call, for the application.
    public mutating func drainOutputs() -> [SerfOutput] {
        defer { outputs.removeAll(keepingCapacity: true) }
        return outputs
    }

    mutating func token() -> Int {
        nextToken += 1
        return nextToken
    }

    // MARK: MemberlistDelegate

    public mutating func notifyMessage(_ message: [UInt8], context: inout DelegateContext) {
        guard let first = message.first else { return }
        let decoded: SerfMessage
        do {
            decoded = try SerfMessage.decode(message)
        } catch {
            outputs.append(.dropped(reason: "undecodable Serf message of type \(first): \(error)"))
            return
        }
        switch decoded {
        case .leave(let intent):
            if handleLeaveIntent(intent, context: &context) { intentQueue.enqueue(message) }
        case .join(let intent):
            if handleJoinIntent(intent, now: context.now) { intentQueue.enqueue(message) }
        case .userEvent(let event):
            if handleUserEvent(event) { eventQueue.enqueue(message) }
        case .query(let query):
            if handleQuery(query, context: &context) { queryQueue.enqueue(message) }
        case .queryResponse(let response):
            handleQueryResponse(response)
        case .relay(let relay):
            // We are a relay for someone's query response: pass it on as it is.
            let dest = Endpoint(ip: relay.destAddr, port: relay.destPort)
            context.effects.append(.sendPacket(to: dest, parts: [[MessageType.user.rawValue] + relay.inner], crc: false))
        case .pushPull:
            break
        }
    }

    public mutating func broadcasts(overhead: Int, limit: Int, context: inout DelegateContext) -> [[UInt8]] {
        let transmitLimit = Self.retransmitLimit(context)
        var out = intentQueue.take(overhead: overhead, limit: limit, transmitLimit: transmitLimit)
        var used = out.reduce(0) { $0 + $1.count + overhead }
        let queries = queryQueue.take(overhead: overhead, limit: limit - used, transmitLimit: transmitLimit)
        used += queries.reduce(0) { $0 + $1.count + overhead }
        out += queries
        out += eventQueue.take(overhead: overhead, limit: limit - used, transmitLimit: transmitLimit)
        return out
    }

    public var hasBroadcasts: Bool { !(intentQueue.isEmpty && queryQueue.isEmpty && eventQueue.isEmpty) }

    public mutating func notifyJoin(_ node: NodeInfo, context: inout DelegateContext) {
        handleNodeJoin(node, now: context.now)
    }

    public mutating func notifyLeave(_ node: NodeInfo, context: inout DelegateContext) {
        handleNodeLeave(node, now: context.now)
    }

    public mutating func notifyUpdate(_ node: NodeInfo, context: inout DelegateContext) {
        handleNodeUpdate(node)
    }

    static func retransmitLimit(_ context: DelegateContext) -> Int {
        let scale = Int(log10(Double(context.estimatedNodeCount + 1)).rounded(.up))
        return context.retransmitMult * Swift.max(scale, 1)
    }
}

/// What Serf tells the application.
public enum SerfOutput: Sendable, Equatable {
    case event(SerfEvent)
    /// An ack or a response to a query we sent, keyed by the query's Lamport time.
    case queryReply(ltime: UInt64, QueryReply)
    /// Our query's deadline passed: no more replies will be reported.
    case queryDone(ltime: UInt64)
    /// Input that was ignored, and why (for counters and debugging).
    case dropped(reason: String)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
