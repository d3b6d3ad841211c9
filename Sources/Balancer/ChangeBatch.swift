/// Batches bursts of membership changes: the configuration is applied once
/// the changes have been quiet for a while, and at the latest some time after
/// the first of them, so a long burst cannot postpone it forever.
///
/// A batch that adds or changes a server is urgent (a new node waits to
/// serve). One that only removes servers is not: they are already out of
/// rotation through the runtime API, and failures are detected one by one
/// over seconds, so a longer window folds them into few reloads.
public struct ChangeBatch: Sendable {
    public struct Window: Sendable, Equatable {
        public var quiet: Duration
        public var maxWait: Duration
        public init(quiet: Duration, maxWait: Duration) {
            self.quiet = quiet
            self.maxWait = maxWait
        }
    }

    public var urgentWindow: Window
    public var removalWindow: Window
    public private(set) var first: ContinuousClock.Instant?
    public private(set) var last: ContinuousClock.Instant?
    public private(set) var urgent = false

    public init(urgent: Window, removal: Window) {
        urgentWindow = urgent
        removalWindow = removal
    }

    public init(quiet: Duration, maxWait: Duration) {
        self.init(urgent: Window(quiet: quiet, maxWait: maxWait), removal: Window(quiet: quiet, maxWait: maxWait))
    }

    public mutating func note(at now: ContinuousClock.Instant, urgent: Bool = true) {
        if first == nil { first = now }
        last = now
        self.urgent = self.urgent || urgent
    }

    /// When the pending changes are due, or nil when none are pending.
    public var due: ContinuousClock.Instant? {
        guard let first, let last else { return nil }
        let w = urgent ? urgentWindow : removalWindow
        return min(last + w.quiet, first + w.maxWait)
    }

    public func isDue(at now: ContinuousClock.Instant) -> Bool { due.map { now >= $0 } ?? false }

    public mutating func clear() {
        first = nil
        last = nil
        urgent = false
    }
}
