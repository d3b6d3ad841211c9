/// A cluster member as Serf reports it, whichever way we learned of it
/// (our own gossip member, or a local agent over RPC).
public struct Member: Sendable, Hashable, Codable {
    public var name: String
    /// The member's gossip address as text (IPv4 dotted quad, or IPv6).
    public var address: String
    public var port: UInt16
    public var tags: [String: String]
    public var status: MemberStatus
    /// memberlist protocol versions (min, max, current).
    public var protocolMin: UInt8
    public var protocolMax: UInt8
    public var protocolCur: UInt8
    /// Serf ("delegate") protocol versions (min, max, current).
    public var delegateMin: UInt8
    public var delegateMax: UInt8
    public var delegateCur: UInt8

    public init(name: String, address: String, port: UInt16, tags: [String: String] = [:],
                status: MemberStatus = .alive,
                protocolMin: UInt8 = 1, protocolMax: UInt8 = 5, protocolCur: UInt8 = 2,
                delegateMin: UInt8 = 2, delegateMax: UInt8 = 5, delegateCur: UInt8 = 5) {
        self.name = name
        self.address = address
        self.port = port
        self.tags = tags
        self.status = status
        self.protocolMin = protocolMin
        self.protocolMax = protocolMax
        self.protocolCur = protocolCur
        self.delegateMin = delegateMin
        self.delegateMax = delegateMax
        self.delegateCur = delegateCur
    }

    /// `addr:port`, with brackets around an IPv6 address.
    public var endpoint: String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}

/// Serf's member statuses, plus `suspect`, which memberlist knows and Serf
/// folds into `alive`. Only the native member can report it.
public enum MemberStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case none
    case alive
    case suspect
    case leaving
    case left
    case failed

    /// Whether the member is taking part in the cluster right now.
    public var isUp: Bool { self == .alive || self == .suspect }
}
