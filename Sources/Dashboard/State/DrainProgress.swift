/// A node on its way from drain to maint (the `D` key), on one balancer or
/// (nil) every one: a node drained on each balancer in turn is watched on
/// each.
public struct DrainTarget: Sendable, Hashable {
    public var node: String
    public var balancer: String?

    public init(_ node: String, on balancer: String? = nil) {
        self.node = node
        self.balancer = balancer
    }
}

/// How far it is.
public enum DrainProgress: Sendable, Hashable {
    /// The drain went through; no session count has been seen since.
    case drained
    /// Sessions left at the last scrape.
    case sessions(Int)
}
