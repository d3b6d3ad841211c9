import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real program started by a test (serf, haproxy, node, ...), with its output
/// captured to a file. It is stopped by PID when the test is done with it, and
/// at the latest when the object goes away, so no test leaves a process behind.
/// It runs in its own process group: when it must be killed, what it started
/// is killed with it.
public final class Daemon: @unchecked Sendable {
    public let name: String
    public let pid: Int32
    public let logURL: URL
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `executable` (a path, or a name looked up in PATH) with `arguments`.
    public init(_ name: String, executable: String, arguments: [String],
                environment: [String: String]? = nil, directory: URL? = nil) throws {
        self.name = name
        let path = try Tools.path(of: executable)
        logURL = TemporaryDirectory.shared.url.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
        pid = try Spawn.start(path, arguments, environment: environment, directory: directory?.path,
                              input: "/dev/null",
                              output: logURL.path, ownGroup: true)
    }

    /// Everything the program printed so far.
    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    public var isRunning: Bool {
        lock.lock(); defer { lock.unlock() }
        return reap(block: false) == nil
    }

    /// nil while it runs; then its exit code, or 128 + the signal that ended it.
    public var exitStatus: Int32? {
        lock.lock(); defer { lock.unlock() }
        return reap(block: false)
    }

    /// Sends `signal` and waits up to `timeout` seconds for the process to exit;
    /// then SIGKILLs it. Its process group goes with it either way.
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 5) {
        lock.lock(); defer { lock.unlock() }
        guard reap(block: false) == nil else { return }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while reap(block: false) == nil && Date() < deadline { usleep(10_000) }
        if reap(block: false) == nil {
            kill(pid, SIGKILL)
            _ = reap(block: true)
        }
    }

    /// The same, waited for on a thread of its own: a test awaiting it
    /// leaves the concurrency pool, which the code under test runs on, free.
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 5) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread { self.stop(signal: signal, timeout: timeout); done.resume() }.start()
        }
    }

    public func crash() async { await stop(signal: SIGKILL) }

    /// SIGKILL: the process gets no chance to say goodbye (a crash, as peers see it).
    public func crash() { stop(signal: SIGKILL) }

    /// Caller holds `lock`. Whatever the daemon started in its group is
    /// killed before the daemon is reaped, while the group's number cannot
    /// yet be anyone else's: a socat fork, a `sleep` under it, must not
    /// outlive the test. A SIGKILLed child always exits, so the blocking
    /// wait is bounded.
    private func reap(block: Bool) -> Int32? {
        if let status { return status }
        if !block && !hasExited { return nil }
        kill(-pid, SIGKILL)
        var raw: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &raw, 0) } while r == -1 && errno == EINTR
        status = r == pid ? Spawn.exitCode(raw) : -1  // -1: not our child any more
        return status
    }

    /// Exited and not yet reaped (a zombie), read without reaping it.
    private var hasExited: Bool { [nil, "Z"].contains(Processes.state(of: "\(pid)")) }

    deinit { stop(signal: SIGKILL, timeout: 1) }
}

public enum Tools {
    public struct Missing: Error, CustomStringConvertible {
        public let tool: String
        public var description: String { "\(tool) is not installed (see .ci/run for the packages tests need)" }
    }

    public static func path(of tool: String) throws -> String {
        if tool.contains("/") { return tool }
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            .split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for dir in dirs where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        throw Missing(tool: tool)
    }

    /// Runs a short command to completion and returns its exit code and
    /// output. The wait happens on a Dispatch thread, never on the Swift
    /// concurrency pool, which the code under test needs to make progress.
    @discardableResult
    public static func run(_ tool: String, _ arguments: [String], input: String? = nil)
        async throws -> (status: Int32, output: String)
    {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(tool, arguments, input: input) })
            }
        }
    }

    /// posix_spawn and waitpid on the direct child only: Foundation's
    /// Process here also waits for what a daemonising child leaves behind
    /// (tmux's server), and its output pipe never closes either.
    public static func runBlocking(_ tool: String, _ arguments: [String], input: String? = nil)
        throws -> (status: Int32, output: String)
    {
        let executable = try path(of: tool)
        let dir = TemporaryDirectory.shared.url.path
        let out = "\(dir)/run-\(UUID().uuidString).out"
        let inputFile = "\(dir)/run-\(UUID().uuidString).in"
        defer { unlink(out); unlink(inputFile) }
        try (input ?? "").write(toFile: inputFile, atomically: false, encoding: .utf8)
        let pid = try Spawn.start(executable, arguments, input: inputFile, output: out, ownGroup: false)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return (Spawn.exitCode(status), output)
    }

    public struct SpawnFailed: Error, CustomStringConvertible {
        public let tool: String
        public let code: Int32
        public var description: String { "cannot start \(tool): \(String(cString: strerror(code)))" }
    }
}

/// One scratch directory per test process, removed at exit.
public final class TemporaryDirectory: @unchecked Sendable {
    public static let shared = TemporaryDirectory()
    public let url: URL

    private init() {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("serftop-tests-\(getpid())", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A fresh subdirectory for one test.
    public func make(_ name: String) -> URL {
        let dir = url.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
