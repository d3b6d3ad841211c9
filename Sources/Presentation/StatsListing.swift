import Foundation
import HAProxy
import TerminalUI

/// `serftop stats`: every server of every backend, as a table or JSON.
public enum StatsListing {
    public static let columns = ["BACKEND", "SERVER", "STATUS", "WEIGHT", "SESS", "RATE", "REQ/s", "CHECK", "ADDRESS"]

    public static func rows(_ snapshot: StatsSnapshot) -> [[String]] {
        snapshot.servers.map { s in
            var check = s.checkStatus ?? ""
            if let d = s.checkDuration, !check.isEmpty { check += " \(d)ms" }
            return [s.proxy, s.service, s.status?.raw ?? "", s.weight.map(String.init) ?? "",
                    s.currentSessions.map(String.init) ?? "", s.sessionRate.map(String.init) ?? "",
                    s.requestRate.map(String.init) ?? "", check, s.address ?? ""]
        }
    }

    public static func text(_ snapshots: [(String, StatsSnapshot)]) -> String {
        var out: [String] = []
        for (source, snapshot) in snapshots {
            if snapshots.count > 1 { out.append("# \(TerminalText.escaped(source))") }
            // Names and statuses come from the stats page: shown, not obeyed.
            out.append(TextTable.aligned([columns] + rows(snapshot).map { $0.map { TerminalText.escaped($0) } }))
        }
        return out.joined(separator: "\n")
    }

    public static func json(_ snapshots: [(String, StatsSnapshot)]) -> String {
        let list: [[String: Any]] = snapshots.map { source, snapshot in
            ["source": source, "servers": snapshot.servers.map { s -> [String: Any] in
                var o: [String: Any] = ["backend": s.proxy, "server": s.service, "status": s.status?.raw ?? ""]
                if let v = s.weight { o["weight"] = v }
                if let v = s.currentSessions { o["sessions"] = v }
                if let v = s.sessionRate { o["session_rate"] = v }
                if let v = s.requestRate { o["request_rate"] = v }
                if let v = s.checkStatus { o["check_status"] = v }
                if let v = s.checkDuration { o["check_duration_ms"] = v }
                if let v = s.lastChange { o["last_change_s"] = v }
                if let v = s.address { o["address"] = v }
                return o
            }]
        }
        return jsonText(["balancers": list])
    }
}
