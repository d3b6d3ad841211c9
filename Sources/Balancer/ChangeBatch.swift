/// Batches bursts of membership changes: the configuration is applied once
/// the changes have been quiet for `quiet`, and at the latest `maxWait` after
/// the first of them, so a long burst cannot postpone it forever.
public struct ChangeBatch: Sendable {
    public var quiet: Duration
    public var maxWait: Duration
    public private(set) var first: ContinuousClock.Instant?
    public private(set) var last: ContinuousClock.Instant?

    public init(quiet: Duration, maxWait: Duration) {
        self.quiet = quiet
        self.maxWait = maxWait
    }

    public mutating func note(at now: ContinuousClock.Instant) {
        if first == nil { first = now }
        last = now
    }

    /// When the pending changes are due, or nil when none are pending.
    public var due: ContinuousClock.Instant? {
        guard let first, let last else { return nil }
        return min(last + quiet, first + maxWait)
    }

    public func isDue(at now: ContinuousClock.Instant) -> Bool { due.map { now >= $0 } ?? false }

    public mutating func clear() {
        first = nil
        last = nil
    }
}
