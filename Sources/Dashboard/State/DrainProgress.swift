/// A node on its way from drain to maint (the `D` key): on which balancer
/// (nil: every one), and how far.
public struct DrainWatch: Sendable, Hashable {
    public var balancer: String?
    public var progress: DrainProgress

    public init(on balancer: String? = nil, _ progress: DrainProgress) {
        self.balancer = balancer
        self.progress = progress
    }
}

public enum DrainProgress: Sendable, Hashable {
    /// The drain went through; no session count has been seen since.
    case drained
    /// Sessions left at the last scrape.
    case sessions(Int)
}
