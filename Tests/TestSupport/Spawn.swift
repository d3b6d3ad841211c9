import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starting a program for a test, with posix_spawn and nothing of
/// Foundation's `Process`. That one learns of an exit through a socket the
/// child inherits, and every process the child starts inherits it too:
/// after a SIGKILL of the child, `isRunning` stayed true, and
/// `waitUntilExit()` never returned, while anything it had started lived.
/// One such wait blocked a thread of the test process's small pool for
/// good; two froze every test.
enum Spawn {
    /// Starts `executable` with stdin from `input`, stdout and stderr to
    /// `output`, and no other descriptor of ours. In its own process group
    /// when `ownGroup`, so that whatever it starts can be killed with it.
    static func start(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                      directory: String? = nil, input: String, output: String, appendOutput: Bool = false, ownGroup: Bool) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (what, code) in [
            ("open \(input)", posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)),
            ("open \(output)", posix_spawn_file_actions_addopen(&actions, 1, output,
                                                                O_WRONLY | O_CREAT | (appendOutput ? O_APPEND : O_TRUNC), 0o600)),
            ("dup2", posix_spawn_file_actions_adddup2(&actions, 1, 2)),
        ] where code != 0 {
            throw Tools.SpawnFailed(tool: "\(executable): \(what)", code: code)
        }
        closeInheritedDescriptors(&actions)
        if let directory { try changeDirectory(&actions, to: directory) }
        // The calling thread may block signals or have them ignored; a
        // child would inherit that, and so would whatever it starts:
        // tmux's panes ignored the SIGHUP of `kill-server`.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t(), defaults = sigset_t()
        sigemptyset(&mask)
        // Every signal back to its default (glibc skips those it cannot set).
        sigfillset(&defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var envp: [UnsafeMutablePointer<CChar>?] = []
        if let environment {
            envp = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { strdup("\($0)=\($1)") } + [nil]
        }
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = envp.isEmpty
            ? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
            : posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw Tools.SpawnFailed(tool: executable, code: spawned) }
        return pid
    }

    /// The exit code, or 128 + the signal that ended it, as a shell says.
    static func exitCode(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// glibc has it since 2.29, but Swift's Glibc module does not show it.
    private static func changeDirectory(_ actions: inout posix_spawn_file_actions_t, to directory: String) throws {
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        guard let addChdir = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else {
            throw Tools.SpawnFailed(tool: "posix_spawn_file_actions_addchdir_np", code: ENOSYS)
        }
        let code = unsafeBitCast(addChdir, to: AddChdir.self)(&actions, directory)
        guard code == 0 else { throw Tools.SpawnFailed(tool: "chdir \(directory)", code: code) }
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
}
