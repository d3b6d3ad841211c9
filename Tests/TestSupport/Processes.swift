import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Processes found by their command line, for those a test did not start
/// itself (the agent a demo runs for its balancer, say).
public enum Processes {
    public static func commandLine(of pid: Int32) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The first process whose command line (program name without its
    /// directory) satisfies `matches`.
    public static func find(_ matches: ([String]) -> Bool) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let args = try? commandLine(of: pid), !args.isEmpty else { continue }
            var words = args
            words[0] = URL(fileURLWithPath: words[0]).lastPathComponent
            if matches(words) { return pid }
        }
        return nil
    }

    /// SIGSTOP, returned from once every thread of `pid` is stopped: kill()
    /// returns before a thread running on another core has been stopped, and
    /// that thread can still answer what arrives meanwhile.
    public static func halt(_ pid: Int32) async throws {
        kill(pid, SIGSTOP)
        try await eventually("process \(pid) to be stopped", timeout: 10, every: 0.01) {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            // A thread gone has nothing left to answer.
            return !tasks.isEmpty && tasks.allSatisfy { ["T", "t", nil].contains(state(of: "\(pid)/task/\($0)")) }
        }
    }

    /// The state letter of `/proc/PATH/stat` (R, S, T, Z, …); nil once gone.
    /// `path` is a pid, or `PID/task/TID` for one thread.
    public static func state(of path: String) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(path)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[close...].dropFirst(2).first
    }
}
