/// One change of a node's state as this member decided it, with what the
/// member list itself forgets: who made it so, and at which incarnation.
/// For the operator: a node that flaps, who keeps suspecting it, whether it
/// refuted.
public struct NodeStateChange: Sendable, Hashable {
    public var node: String
    public var state: NodeStateKind
    public var incarnation: UInt32
    /// Who said so: the member that suspected it, or that declared it dead
    /// (the node itself when it left). Nil for alive.
    public var from: String?
    /// Alive again after a suspicion: the node outbid it with a higher incarnation.
    public var refuted: Bool

    public init(node: String, state: NodeStateKind, incarnation: UInt32, from: String? = nil, refuted: Bool = false) {
        self.node = node
        self.state = state
        self.incarnation = incarnation
        self.from = from
        self.refuted = refuted
    }
}

extension Memberlist {
    /// Held until drained; a member that never drains keeps only the newest.
    static var stateChangeCapacity: Int { 256 }

    mutating func note(_ change: NodeStateChange) {
        stateChanges.append(change)
        if stateChanges.count > Self.stateChangeCapacity { stateChanges.removeFirst(stateChanges.count - Self.stateChangeCapacity) }
    }

    /// The state changes since the last call, oldest first.
    mutating func drainStateChanges() -> [NodeStateChange] {
        defer { stateChanges.removeAll(keepingCapacity: true) }
        return stateChanges
    }
}
