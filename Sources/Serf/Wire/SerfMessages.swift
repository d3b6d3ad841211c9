/// Serf's message type bytes (inside memberlist user messages).
public enum SerfMessageType: UInt8, Sendable {
    case leave = 0
    case join = 1
    case pushPull = 2
    case userEvent = 3
    case query = 4
    case queryResponse = 5
    case conflictResponse = 6
    case keyRequest = 7
    case keyResponse = 8
    case relay = 9
}

public struct JoinIntent: Sendable, Hashable {
    public var ltime: UInt64
    public var node: String
    public init(ltime: UInt64, node: String) { self.ltime = ltime; self.node = node }
}

public struct LeaveIntent: Sendable, Hashable {
    public var ltime: UInt64
    public var node: String
    /// Forget the member entirely (force-leave -prune).
    public var prune: Bool
    public init(ltime: UInt64, node: String, prune: Bool) { self.ltime = ltime; self.node = node; self.prune = prune }
}

public struct UserEventMessage: Sendable, Hashable {
    public var ltime: UInt64
    public var name: String
    public var payload: [UInt8]
    public var canCoalesce: Bool
    public init(ltime: UInt64, name: String, payload: [UInt8], canCoalesce: Bool) {
        self.ltime = ltime; self.name = name; self.payload = payload; self.canCoalesce = canCoalesce
    }
}

public struct UserEventEntry: Sendable, Hashable {
    public var name: String
    public var payload: [UInt8]
    public init(name: String, payload: [UInt8]) { self.name = name; self.payload = payload }
}

/// The events seen at one Lamport time, as kept in Serf's ring buffer.
public struct UserEventBucket: Sendable, Hashable {
    public var ltime: UInt64
    public var events: [UserEventEntry]
    public init(ltime: UInt64, events: [UserEventEntry]) { self.ltime = ltime; self.events = events }
}

public struct SerfPushPull: Sendable, Hashable {
    public var ltime: UInt64
    public var statusLTimes: [String: UInt64]
    public var leftMembers: [String]
    public var eventLTime: UInt64
    public var events: [UserEventBucket]
    public var queryLTime: UInt64
    public init(ltime: UInt64, statusLTimes: [String: UInt64], leftMembers: [String], eventLTime: UInt64,
                events: [UserEventBucket], queryLTime: UInt64) {
        self.ltime = ltime; self.statusLTimes = statusLTimes; self.leftMembers = leftMembers
        self.eventLTime = eventLTime; self.events = events; self.queryLTime = queryLTime
    }
}

public struct QueryFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The querier wants an ack from every member that processes the query.
    public static let ack = QueryFlags(rawValue: 1)
    /// Do not gossip the query on.
    public static let noBroadcast = QueryFlags(rawValue: 2)
}

/// Which members process a query.
public enum QueryFilter: Sendable, Hashable {
    case nodes([String])
    /// Go regular expression, matched unanchored against the tag's value.
    case tag(name: String, expression: String)
    /// A filter type we do not know: the query is not for us.
    case unknown(type: UInt8, raw: [UInt8])
}

public struct QueryMessage: Sendable, Hashable {
    public var ltime: UInt64
    public var id: UInt32
    /// Where responses go (UDP).
    public var addr: [UInt8]
    public var port: UInt16
    public var sourceNode: String
    public var filters: [QueryFilter]
    public var flags: QueryFlags
    public var relayFactor: UInt8
    public var timeout: Duration
    public var name: String
    public var payload: [UInt8]

    public init(ltime: UInt64, id: UInt32, addr: [UInt8], port: UInt16, sourceNode: String, filters: [QueryFilter],
                flags: QueryFlags, relayFactor: UInt8, timeout: Duration, name: String, payload: [UInt8]) {
        self.ltime = ltime; self.id = id; self.addr = addr; self.port = port; self.sourceNode = sourceNode
        self.filters = filters; self.flags = flags; self.relayFactor = relayFactor; self.timeout = timeout
        self.name = name; self.payload = payload
    }
}

public struct QueryResponseMessage: Sendable, Hashable {
    public var ltime: UInt64
    public var id: UInt32
    public var from: String
    public var flags: QueryFlags
    public var payload: [UInt8]
    public init(ltime: UInt64, id: UInt32, from: String, flags: QueryFlags, payload: [UInt8]) {
        self.ltime = ltime; self.id = id; self.from = from; self.flags = flags; self.payload = payload
    }
}

/// A response on its way through a relay to the querier.
public struct RelayMessage: Sendable, Hashable {
    public var destAddr: [UInt8]
    public var destPort: UInt16
    public var destZone: String
    public var destName: String
    /// The Serf message to forward, type byte included.
    public var inner: [UInt8]
    public init(destAddr: [UInt8], destPort: UInt16, destZone: String, destName: String, inner: [UInt8]) {
        self.destAddr = destAddr; self.destPort = destPort; self.destZone = destZone; self.destName = destName
        self.inner = inner
    }
}

public enum SerfMessage: Sendable, Hashable {
    case leave(LeaveIntent)
    case join(JoinIntent)
    case pushPull(SerfPushPull)
    case userEvent(UserEventMessage)
    case query(QueryMessage)
    case queryResponse(QueryResponseMessage)
    case relay(RelayMessage)
}

/// `_serf_conflict` answer: what the responder knows of the contested name.
public struct ConflictResponse: Sendable, Hashable {
    public var member: Member
    public init(member: Member) { self.member = member }
}

/// `_serf_*-key` query payload.
public struct KeyRequest: Sendable, Hashable {
    public var key: [UInt8]
    public init(key: [UInt8]) { self.key = key }
}

/// A member's answer to a key query.
public struct NodeKeyResponse: Sendable, Hashable {
    public var result: Bool
    public var message: String
    public var keys: [String]
    public var primaryKey: String
    public init(result: Bool, message: String, keys: [String], primaryKey: String) {
        self.result = result; self.message = message; self.keys = keys; self.primaryKey = primaryKey
    }
}
