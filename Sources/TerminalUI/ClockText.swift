import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// "HH:MM:SS" in local time, for the event pane. Every frame formats the
/// visible events again; a DateFormatter built per frame cost more than the
/// rest of the pane.
public enum ClockText {
    public static func hms(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return "--:--:--" }
        return two(parts.tm_hour) + ":" + two(parts.tm_min) + ":" + two(parts.tm_sec)
    }

    private static func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
