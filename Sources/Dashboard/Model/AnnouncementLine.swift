import BalancerContract
import HAProxy
import Serf

/// The event pane's line for a balancer's announcement (BalancerAnnouncement).
/// The payload may come from any member: what it says is shown as data,
/// escaped, and a payload off the grammar is named as such, never guessed at.
enum AnnouncementLine {
    static func line(_ payload: [UInt8]) -> (EventLog.Kind, String) {
        let a: BalancerAnnouncement
        do {
            a = try BalancerAnnouncement(payload: payload)
        } catch {
            let who = BalancerAnnouncement.claimedBalancer(in: payload).map { " from \(shown($0))" } ?? ""
            return (.user, "unreadable announcement\(who): \(error)")
        }
        let name = shown(a.balancer)
        let servers = "\(a.servers) server\(a.servers == 1 ? "" : "s")"
        var changes = a.added.map { "+\($0)" } + a.removed.map { "-\($0)" }
        if a.more > 0 { changes.append("\(a.more) more") }
        let change = changes.isEmpty ? "" : ", " + changes.joined(separator: " ")
        let reason = a.reason.map { ": " + shown($0) } ?? ""
        switch a.kind {
        case .updated: return (.reload, "balancer \(name) updated, no reload: \(servers)\(change)")
        case .reloaded: return (.reload, "balancer \(name) reloaded (#\(a.reload)): \(servers)\(change)")
        case .installed: return (.reload, "balancer \(name) installed a config, not reloaded: \(servers)\(change)")
        case .refused: return (.failure, "balancer \(name) refused a config (\(servers)\(change))\(reason)")
        case .held: return (.failure, "balancer \(name) held back a config (\(servers)\(change))\(reason)")
        }
    }

    /// Text from the wire as it is, but for control characters and quotes,
    /// which are escaped: nothing in it can reach the terminal as a command
    /// or pass for the line's own words.
    static func shown(_ text: String) -> String {
        var out = ""
        for s in text.unicodeScalars.prefix(HAProxyName.maxLength) {
            switch s.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
                out += s.escaped(asASCII: true)
            default:
                out.unicodeScalars.append(s)
            }
        }
        return out
    }
}
