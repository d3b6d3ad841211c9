import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#endif

/// Puts a rendered configuration in place only if HAProxy accepts it: the
/// text is written beside the live file, checked with `haproxy -c`, then
/// renamed over it, so HAProxy never reads a half-written or invalid file.
public struct ConfigInstaller: Sendable {
    public let configPath: String
    public let haproxy: String

    public init(configPath: String, haproxy: String = "haproxy") {
        self.configPath = configPath
        self.haproxy = haproxy
    }

    /// The file as installed now, if any.
    public func current() -> String? { try? String(contentsOfFile: configPath, encoding: .utf8) }

    /// A rejected candidate is left here for the operator to read.
    public var rejectedPath: String { configPath + ".rejected" }

    public func install(_ text: String) async throws(BalancerError) {
        let candidate = configPath + ".new"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: candidate))
        } catch {
            throw .install(path: candidate, reason: (error as NSError).localizedDescription)
        }
        if let problem = await validate(candidate) {
            _ = rename(candidate, rejectedPath)
            throw .invalidConfig(output: problem + " (the rejected file is \(rejectedPath))")
        }
        guard rename(candidate, configPath) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(candidate)
            throw .install(path: configPath, reason: reason)
        }
        unlink(rejectedPath)
    }

    /// nil when `haproxy -c` accepts the file, else what it said.
    public func validate(_ path: String) async -> String? {
        do {
            let executable: Executable = haproxy.contains("/") ? .path(.init(haproxy)) : .name(haproxy)
            let result = try await Subprocess.run(executable, arguments: ["-c", "-f", path],
                                                  output: .string(limit: 256 << 10), error: .string(limit: 256 << 10))
            if result.terminationStatus.isSuccess { return nil }
            let lines = (result.standardOutput + result.standardError)
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            // "[ALERT]    (123) : config : [file:4] : what" → "[file:4] : what"
            let alerts = lines.filter { $0.contains("ALERT") }.map { line in
                line.range(of: " : config : ").map { String(line[$0.upperBound...]) } ?? line
            }
            let said = alerts.isEmpty ? Array(lines.suffix(1)) : Array(alerts.prefix(5))
            return said.isEmpty ? "haproxy -c failed (\(result.terminationStatus))" : said.joined(separator: "; ")
        } catch {
            return "cannot run \(haproxy) -c: \(error)"
        }
    }
}
