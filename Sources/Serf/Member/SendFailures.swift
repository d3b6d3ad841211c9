#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Memberlist

/// Sends the kernel refused. A gossip member sends to every peer every
/// second, so a link that is down fails hundreds of sends a minute: each
/// kind of failure is logged the first time, then summarised as a count at
/// most every `summaryEvery`, and never stops the member.
struct SendFailures {
    var summaryEvery: Duration = .seconds(30)
    /// Failed sends by reason, since the member started.
    private(set) var total: [String: Int] = [:]
    private var sinceSummary: [String: Int] = [:]
    private var lastSummary: Duration?

    var count: Int { total.values.reduce(0, +) }

    mutating func note(errno code: Int32, to endpoint: Endpoint, now: Duration, logger: Logger) {
        note(String(cString: strerror(code)), to: endpoint, now: now, logger: logger)
    }

    mutating func note(_ reason: String, to endpoint: Endpoint, now: Duration, logger: Logger) {
        let first = total[reason] == nil
        total[reason, default: 0] += 1
        if first {
            logger.warning("gossip: cannot send to \(endpoint): \(reason) (the packet is lost; further failures are counted)")
            lastSummary = lastSummary ?? now
            return
        }
        sinceSummary[reason, default: 0] += 1
        if let last = lastSummary, now - last < summaryEvery { return }
        let parts = sinceSummary.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }
        logger.warning("gossip: \(sinceSummary.values.reduce(0, +)) sends failed in the last \(summaryEvery.formatted()): \(parts.joined(separator: ", "))")
        sinceSummary.removeAll()
        lastSummary = now
    }
}
