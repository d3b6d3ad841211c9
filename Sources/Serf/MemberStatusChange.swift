import Memberlist

/// A member's status as our own gossip member decided it, with what Serf's
/// member events leave out: the incarnation, who reported a suspicion or a
/// death, and whether the member refuted. Only the native member knows
/// these; an agent over RPC gives member events alone.
public struct MemberStatusChange: Sendable, Hashable {
    public var name: String
    /// alive, suspect, failed or left.
    public var status: MemberStatus
    public var incarnation: UInt32
    /// The member that suspected it or declared it dead (itself when it left).
    public var reportedBy: String?
    /// Alive again by outbidding a suspicion with a higher incarnation.
    public var refuted: Bool

    public init(name: String, status: MemberStatus, incarnation: UInt32, reportedBy: String? = nil, refuted: Bool = false) {
        self.name = name
        self.status = status
        self.incarnation = incarnation
        self.reportedBy = reportedBy
        self.refuted = refuted
    }

    init(_ change: NodeStateChange) {
        let status: MemberStatus
        switch change.state {
        case .alive: status = .alive
        case .suspect: status = .suspect
        case .dead: status = .failed
        case .left: status = .left
        }
        self.init(name: change.node, status: status, incarnation: change.incarnation,
                  reportedBy: change.from, refuted: change.refuted)
    }
}
