/// Where a node is on its way from drain to maint (the `D` key).
public enum DrainProgress: Sendable, Hashable {
    /// The drain went through; no session count has been seen since.
    case drained
    /// Sessions left at the last scrape.
    case sessions(Int)
}
