/// What memberlist knows about a node, as it tells its delegate.
public struct NodeInfo: Sendable, Hashable {
    public var name: String
    public var endpoint: Endpoint
    /// Opaque to memberlist; Serf puts its tags here.
    public var meta: [UInt8]
    public var versions: ProtocolVersions

    public init(name: String, endpoint: Endpoint, meta: [UInt8], versions: ProtocolVersions) {
        self.name = name
        self.endpoint = endpoint
        self.meta = meta
        self.versions = versions
    }
}

/// Our view of one node: what it said about itself, and what we believe.
public struct NodeRecord: Sendable, Hashable {
    public var info: NodeInfo
    public var incarnation: UInt32
    public var state: NodeStateKind
    /// When `state` last changed (time since the member started).
    public var stateChange: Duration

    public var isDeadOrLeft: Bool { state == .dead || state == .left }
}
