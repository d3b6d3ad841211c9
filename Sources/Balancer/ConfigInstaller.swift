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
            let result = try await Subprocess.run(executable, arguments: ["-c", "-q", "-f", path],
                                                  output: .string(limit: 256 << 10), error: .string(limit: 256 << 10))
            if result.terminationStatus.isSuccess { return nil }
            let said = ((result.standardOutput ?? "") + (result.standardError ?? ""))
                .split(separator: "\n").filter { $0.contains("ALERT") || $0.contains("rror") }
                .map { $0.trimmingCharacters(in: .whitespaces) }
            return said.isEmpty ? "haproxy -c failed (\(result.terminationStatus))" : said.prefix(5).joined(separator: "; ")
        } catch {
            return "cannot run \(haproxy) -c: \(error)"
        }
    }
}
