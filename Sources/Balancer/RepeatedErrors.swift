import Logging

/// Errors that repeat, logged with back-off: the first at error level, then
/// the same text again only after 2, 4, 8… s (up to a minute), with how many
/// times it happened in between. A broken template retried every batch must
/// not fill a log with the same line five times a second.
struct RepeatedErrors {
    private var seen: [String: (count: Int, next: ContinuousClock.Instant, pause: Duration)] = [:]

    mutating func error(_ text: String, logger: Logger, at now: ContinuousClock.Instant = .now) {
        guard var entry = seen[text] else {
            logger.error("\(text)")
            seen[text] = (0, now + .seconds(2), .seconds(2))
            return
        }
        entry.count += 1
        if now >= entry.next {
            logger.error("\(text) (\(entry.count) more time(s) since it was last logged)")
            entry.count = 0
            entry.pause = min(entry.pause * 2, .seconds(60))
            entry.next = now + entry.pause
        }
        seen[text] = entry
    }

    /// The condition is over: the next occurrence is logged at once again.
    mutating func clear() { seen.removeAll() }
}
