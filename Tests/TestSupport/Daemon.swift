import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real program started by a test (serf, haproxy, node, ...), with its output
/// captured to a file. It is stopped by PID when the test is done with it, and
/// at the latest when the object goes away, so no test leaves a process behind.
public final class Daemon: @unchecked Sendable {
    public let name: String
    public let process: Process
    public let logURL: URL
    private let lock = NSLock()

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Starts `executable` (a path, or a name looked up in PATH) with `arguments`.
    public init(_ name: String, executable: String, arguments: [String],
                environment: [String: String]? = nil, directory: URL? = nil) throws {
        self.name = name
        let path = try Tools.path(of: executable)
        process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = directory }
        logURL = TemporaryDirectory.shared.url.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logURL)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Everything the program printed so far.
    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits up to `timeout` seconds for the process to exit;
    /// escalates to SIGKILL if it does not.
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 5) {
        lock.lock(); defer { lock.unlock() }
        guard process.isRunning else { return }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// SIGKILL: the process gets no chance to say goodbye (a crash, as peers see it).
    public func crash() { stop(signal: SIGKILL) }

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
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputFile, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        // The calling thread is a Dispatch worker, which blocks most
        // signals; a child would inherit that mask, and so would whatever
        // it starts: tmux's panes ignored the SIGHUP of `kill-server`.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw SpawnFailed(tool: tool, code: spawned) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, output)
    }

    /// The tool gets stdin, stdout and stderr only. The test process holds
    /// many descriptors (daemon logs, sockets); inherited, they pushed wrk's
    /// sockets above the size of its event loop, and wrk counted each such
    /// socket as a failed connect although no connect() ever failed.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let closeFrom = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)
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
