import Foundation

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
}
