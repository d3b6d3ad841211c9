import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program the demo starts and owns: its output goes to a log file, it
/// runs in its own process group (so Ctrl-C reaches the demo, which stops
/// things in order), it is stopped by PID, and it gets SIGTERM if the demo
/// dies without stopping it (SIGKILL, a crash): nothing is left behind.
final class ChildProcess: @unchecked Sendable {
    let name: String
    let pid: pid_t
    let logPath: String
    private let lock = NSLock()
    private var exitStatus: Int32?

    init(_ name: String, executable: String, arguments: [String], environment: [String: String] = [:],
         logPath: String) throws {
        self.name = name
        self.logPath = logPath
        let (executable, arguments) = ParentDeath.wrap(executable, arguments)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        InheritedDescriptors.closeAll(in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The demo ignores SIGINT/SIGTERM while it waits for them; children
        // must get the default actions back, and no blocked signals.
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGUSR2] { sigaddset(&defaults, s) }
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0)=\($1)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let code = ParentDeath.spawner.run {
            executable.contains("/")
                ? posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
                : posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        }
        guard code == 0 else {
            throw DemoError("cannot start \(name) (\(executable)): \(String(cString: strerror(code)))")
        }
        self.pid = pid
    }

    var lastStatus: Int32? {
        lock.lock(); defer { lock.unlock() }
        return exitStatus
    }

    var isRunning: Bool {
        lock.lock(); defer { lock.unlock() }
        return reap(block: false) == nil
    }

    /// nil while running; the exit code (128+signal when killed) once gone.
    private func reap(block: Bool) -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let r = waitpid(pid, &status, block ? 0 : WNOHANG)
        guard r == pid else { return r == -1 && errno == ECHILD ? -1 : nil }
        exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return exitStatus
    }

    /// Sends `signal`, waits up to `timeout`, then SIGKILL. Returns at once if already gone.
    /// A stop is carried out whole even by a cancelled caller (the demo
    /// ending mid-step): its waits are its own, not cut short to a spin.
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(5)) async {
        if !isRunning { return }
        kill(pid, signal)
        await Task {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if !self.isRunning { return }
                try? await Task.sleep(for: .milliseconds(20))
            }
            kill(self.pid, SIGKILL)
            while self.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        }.value
    }

    /// The last lines of the log, for error messages.
    func logTail(_ lines: Int = 8) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

extension ChildProcess {
    var exitCode: Int32? {
        isRunning ? nil : lastStatus
    }

    func waitForExit(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }
}

/// The parent-death signal: `setpriv --pdeathsig` asks the kernel to send
/// SIGTERM to the child when its parent goes. The kernel means the parent
/// *thread*, and Swift's pool threads come and go, so children are spawned
/// from one thread that lives as long as the demo.
enum ParentDeath {
    static let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func wrap(_ executable: String, _ arguments: [String]) -> (String, [String]) {
        guard let setpriv else { return (executable, arguments) }
        return (setpriv, ["--pdeathsig", "TERM", "--", executable] + arguments)
    }

    static let spawner = SpawnThread()

    /// Runs each closure on the same long-lived thread, one at a time.
    final class SpawnThread: @unchecked Sendable {
        private let lock = NSCondition()
        private var work: (() -> Void)?
        private var done = false
        private var busy = false

        init() {
            let thread = Thread { [unowned self] in self.serve() }
            thread.name = "serftop-spawn"
            thread.start()
        }

        private func serve() {
            while true {
                lock.lock()
                while work == nil { lock.wait() }
                var job = work
                work = nil
                lock.unlock()
                job?()
                // Let go of the job before the caller returns: it captures
                // the caller's non-escaping closure.
                job = nil
                lock.lock()
                done = true
                lock.broadcast()
                lock.unlock()
            }
        }

        func run<T>(_ body: () -> T) -> T {
            withoutActuallyEscaping(body) { body in
                var result: T?
                lock.lock()
                while busy { lock.wait() }
                busy = true
                done = false
                work = { result = body() }
                lock.broadcast()
                while !done { lock.wait() }
                busy = false
                lock.broadcast()
                lock.unlock()
                return result!
            }
        }
    }
}
