import Memberlist

/// Serf's settings, with the defaults of `serf agent` 0.9.4.
public struct SerfConfig: Sendable {
    public var nodeName: String
    public var tags: [String: String]
    /// The Serf protocol we speak (the agent's default is its maximum, 5).
    public var protocolVersion: UInt8 = 5

    public var eventBufferSize = 512
    public var queryBufferSize = 512
    public var reapInterval: Duration = .seconds(15)
    public var reconnectInterval: Duration = .seconds(30)
    public var reconnectTimeout: Duration = .seconds(24 * 3600)
    public var tombstoneTimeout: Duration = .seconds(24 * 3600)
    public var recentIntentTimeout: Duration = .seconds(300)
    public var broadcastTimeout: Duration = .seconds(5)
    public var leavePropagateDelay: Duration = .seconds(1)
    public var queryTimeoutMult = 16
    public var querySizeLimit = 1024
    public var queryResponseSizeLimit = 1024
    public var userEventSizeLimit = 512

    public init(nodeName: String, tags: [String: String]) {
        self.nodeName = nodeName
        self.tags = tags
    }
}

/// Errors of Serf operations, in words a person can act on.
public enum SerfError: Error, Sendable, Equatable, CustomStringConvertible {
    case userEventTooLarge(size: Int, limit: Int)
    case queryTooLarge(size: Int, limit: Int)
    case responseTooLarge(size: Int, limit: Int)
    case queryExpired(name: String)
    case unknownQuery(id: UInt64)
    case notAlive(state: String)
    case tagsTooLarge(size: Int)

    public var description: String {
        switch self {
        case .userEventTooLarge(let s, let l):
            return "user event is \(s) bytes (name and payload); the cluster accepts at most \(l)"
        case .queryTooLarge(let s, let l):
            return "query is \(s) bytes encoded; the cluster accepts at most \(l): shorten the payload or filters"
        case .responseTooLarge(let s, let l):
            return "query response is \(s) bytes encoded; at most \(l) can be sent"
        case .queryExpired(let n):
            return "the query '\(n)' has timed out; the response was not sent"
        case .unknownQuery(let id):
            return "no pending query with id \(id) (it may have timed out)"
        case .notAlive(let state):
            return "this member is \(state) and can no longer send to the cluster"
        case .tagsTooLarge(let s):
            return "tags take \(s) bytes encoded; memberlist allows at most 512"
        }
    }
}
