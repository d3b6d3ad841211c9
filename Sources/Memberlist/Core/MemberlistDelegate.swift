/// The layer above memberlist (Serf). memberlist calls it synchronously as
/// things happen, like its Go counterpart, so the whole stack stays one pure
/// value. `effects` lets the delegate send packets of its own.
public protocol MemberlistDelegate: Sendable {
    /// A user message (Serf message) arrived by UDP or TCP.
    mutating func notifyMessage(_ message: [UInt8], context: inout DelegateContext)
    /// Messages to piggyback on outgoing packets, within `limit` bytes where
    /// each costs its length plus `overhead`.
    mutating func broadcasts(overhead: Int, limit: Int, context: inout DelegateContext) -> [[UInt8]]
    /// Whether `broadcasts` would return anything: with nothing to spread
    /// from either layer, a gossip round sends nothing and need not wake us.
    var hasBroadcasts: Bool { get }
    /// The delegate's part of a push/pull.
    func localState(join: Bool, context: DelegateContext) -> [UInt8]
    mutating func mergeRemoteState(_ state: [UInt8], join: Bool, context: inout DelegateContext)
    mutating func notifyJoin(_ node: NodeInfo, context: inout DelegateContext)
    mutating func notifyLeave(_ node: NodeInfo, context: inout DelegateContext)
    mutating func notifyUpdate(_ node: NodeInfo, context: inout DelegateContext)
}

extension MemberlistDelegate {
    public var hasBroadcasts: Bool { true }
}

/// What a delegate sees of memberlist while it is being called.
public struct DelegateContext: Sendable {
    public let now: Duration
    public let localName: String
    public let advertise: Endpoint
    /// Nodes memberlist knows (alive, suspect, and dead not yet forgotten).
    public var estimatedNodeCount: Int { nodes.count }
    /// Alive nodes other than us, for picking relays (computed on demand:
    /// most calls never need it).
    public var aliveOthers: [NodeInfo] {
        nodes.values.filter { $0.state == .alive && $0.info.name != localName }.map(\.info).sorted { $0.name < $1.name }
    }
    /// memberlist's view, shared copy-on-write.
    let nodes: [String: NodeRecord]
    public let retransmitMult: Int
    public let gossipInterval: Duration
    /// Packets the delegate wants sent.
    public var effects: [MemberlistEffect] = []
}
