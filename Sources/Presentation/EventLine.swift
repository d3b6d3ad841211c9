import Foundation
import Serf
import TerminalUI

/// One line per cluster event, for `serftop monitor`. In text, what members
/// sent (names, tags, payloads) is escaped: one event stays one line, and
/// the terminal shows it rather than obeys it.
public enum EventLine {
    public static func text(_ event: SerfEvent, at date: Date = Date()) -> [String] {
        let stamp = timestamp(date)
        let e: (String) -> String = TerminalText.escaped
        switch event {
        case .member(let kind, let members):
            return members.map { m in
                "\(stamp) \(kind.rawValue) \(e(m.name)) \(m.endpoint) \(MemberListing.tagText(m.tags))"
            }
        case .user(let u):
            return ["\(stamp) user \(e(u.name)) \(e(printable(u.payload))) ltime=\(u.ltime)\(u.coalesce ? " coalesce" : "")"]
        case .query(let q):
            return ["\(stamp) query \(e(q.name)) \(e(printable(q.payload))) ltime=\(q.ltime)"]
        case .notice(let text):
            return ["\(stamp) notice \(e(text))"]
        case .status(let c):
            return ["\(stamp) status \(e(c.name)) \(c.status.rawValue) incarnation=\(c.incarnation)"
                + (c.reportedBy.map { " from=\(e($0))" } ?? "") + (c.refuted ? " refuted" : "")]
        }
    }

    public static func json(_ event: SerfEvent, at date: Date = Date()) -> [String] {
        // A formatter made per line costs half a millisecond; this, microseconds.
        let time = date.formatted(.iso8601)
        func compact(_ o: [String: Any]) -> String { jsonText(o, compact: true) }
        switch event {
        case .member(let kind, let members):
            return members.map { m in
                compact(["time": time, "event": kind.rawValue, "name": m.name, "addr": m.endpoint, "status": m.status.rawValue, "tags": m.tags])
            }
        case .user(let e):
            return [compact(["time": time, "event": "user", "name": e.name, "payload": printable(e.payload), "ltime": e.ltime, "coalesce": e.coalesce])]
        case .query(let q):
            return [compact(["time": time, "event": "query", "name": q.name, "payload": printable(q.payload), "ltime": q.ltime])]
        case .notice(let text):
            return [compact(["time": time, "event": "notice", "text": text])]
        case .status(let c):
            var o: [String: Any] = ["time": time, "event": "status", "name": c.name, "status": c.status.rawValue,
                                    "incarnation": c.incarnation, "refuted": c.refuted]
            if let from = c.reportedBy { o["from"] = from }
            return [compact(o)]
        }
    }

    /// Local `HH:mm:ss.SSS`, without a formatter per line.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        var parts = tm()
        localtime_r(&whole, &parts)
        let millis = min(999, Int((seconds - seconds.rounded(.down)) * 1000))
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms)"
    }

    /// Payload as text when it is, else as hex. Unescaped: JSON and the
    /// screen's cells escape in their own way, text output with TerminalText.
    public static func printable(_ bytes: [UInt8]) -> String {
        if var s = String(bytes: bytes, encoding: .utf8),
           !s.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" && $0 != "\n" }) {
            while s.hasSuffix("\n") { s.removeLast() }
            return s
        }
        return "0x" + bytes.map { String(format: "%02x", $0) }.joined()
    }
}
