import Foundation
import Serf
import TerminalUI

/// The details pane's account of a member's status changes, newest first.
enum MemberHistoryLines {
    static func lines(_ history: MemberHistory?, hasDetails: Bool, flap: String, now: Date) -> [(String, StyleRole)] {
        guard let history, !history.entries.isEmpty else { return [] }
        var out: [(String, StyleRole)] = []
        let trips = history.flaps == 0 ? "no round trip through suspect or failed"
            : "\(flap)\(history.flaps): \(history.flaps) time\(history.flaps == 1 ? "" : "s") alive again after suspect or failed"
        out.append(("history  \(trips) since serftop started", .overlay))
        if !hasDetails {
            out.append(("         from member events only (an agent over RPC): no suspicions, incarnations or reporters", .dim))
        }
        for e in history.entries.reversed() {
            var text = "  \(ClockText.hms(e.time))  \(e.status.rawValue.padded(to: 7))"
            var details: [String] = []
            if let n = e.incarnation { details.append("incarnation \(n)") }
            if let by = e.reportedBy { details.append("reported by \(AnnouncementLine.shown(by))") }
            if e.refuted { details.append("refuted the suspicion") }
            if !details.isEmpty { text += "  " + details.joined(separator: ", ") }
            out.append((text, CellText.role(e.status)))
        }
        return out
    }
}
