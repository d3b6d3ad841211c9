/// Batches bursts of membership changes: the configuration is applied once
/// the changes have been quiet for a while, and at the latest some time after
/// the first of them, so a long burst cannot postpone it forever.
///
/// A batch that adds or changes a server is urgent (a new node waits to
/// serve). One that only removes servers is not: they are already out of
/// rotation through the runtime API, and failures are detected one by one
/// over seconds, so a longer window folds them into few applies.
///
/// An urgent change that comes after a calm spell (no reload for `calm`) is
/// due at once: a lone join does not wait out a quiet period that is there
/// to fold a burst into few reloads. Changes made at run time cost no
/// reload, so while they work every addition is due at once.
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
    /// nil: every batch waits for its window.
    public var calm: Duration?
    public private(set) var first: ContinuousClock.Instant?
    public private(set) var last: ContinuousClock.Instant?
    public private(set) var urgent = false
    /// When the batch became urgent after a calm spell: it is due then.
    public private(set) var leading: ContinuousClock.Instant?
    public private(set) var lastReload: ContinuousClock.Instant?

    public init(urgent: Window, removal: Window, calm: Duration? = nil) {
        urgentWindow = urgent
        removalWindow = removal
        self.calm = calm
    }

    public init(quiet: Duration, maxWait: Duration) {
        self.init(urgent: Window(quiet: quiet, maxWait: maxWait), removal: Window(quiet: quiet, maxWait: maxWait))
    }

    public mutating func note(at now: ContinuousClock.Instant, urgent: Bool = true) {
        if first == nil { first = now }
        last = now
        if urgent && !self.urgent, let calm, lastReload.map({ now - $0 >= calm }) ?? true {
            leading = now
        }
        self.urgent = self.urgent || urgent
    }

    /// When the pending changes are due, or nil when none are pending.
    public var due: ContinuousClock.Instant? {
        guard let first, let last else { return nil }
        if let leading { return leading }
        let w = urgent ? urgentWindow : removalWindow
        return min(last + w.quiet, first + w.maxWait)
    }

    public func isDue(at now: ContinuousClock.Instant) -> Bool { due.map { now >= $0 } ?? false }

    /// An apply reloaded HAProxy: the calm spell starts again.
    public mutating func reloaded(at now: ContinuousClock.Instant) {
        lastReload = now
    }

    public mutating func clear() {
        first = nil
        last = nil
        urgent = false
        leading = nil
    }
}
