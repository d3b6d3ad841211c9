import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The test harness's own promise: a daemon a test started is gone when the
/// test stops it, with whatever it started, and stopping never hangs.
@Suite struct DaemonTests {
    @Test func aDaemonThatIgnoresTermIsKilledWithWhatItStartedAndStopReturns() async throws {
        let pidFile = TemporaryDirectory.shared.make("daemon").appendingPathComponent("child.pid").path
        // sh ignores SIGTERM, and so does the sleep it leaves running.
        let daemon = try Daemon("stubborn", executable: "sh",
                                arguments: ["-c", "trap '' TERM; sleep 600 & echo $! > \(pidFile); wait"])
        let child = try await eventuallyValue("the child's pid") {
            (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        let start = ContinuousClock.now
        await daemon.stop(timeout: 1)
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(!daemon.isRunning)
        #expect(daemon.exitStatus == 128 + SIGKILL)
        try await eventually("the child it started to be gone") { !Self.alive(child) }
    }

    /// A crash (SIGKILL at once) and a daemon that ends by itself take what
    /// they started with them too.
    @Test(arguments: [true, false])
    func whatADaemonStartedGoesWithIt(crash: Bool) async throws {
        let pidFile = TemporaryDirectory.shared.make("daemon").appendingPathComponent("child.pid").path
        let daemon = try Daemon("parent", executable: "sh",
                                arguments: ["-c", "sleep 600 & echo $! > \(pidFile); " + (crash ? "wait" : "sleep 0.2")])
        let child = try await eventuallyValue("the child's pid") {
            (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        if crash {
            await daemon.crash()
        } else {
            try await eventually("the daemon to end by itself") { !daemon.isRunning }
        }
        try await eventually("the child it started to be gone") { !Self.alive(child) }
    }

    @Test func anExitCodeIsKept() async throws {
        let daemon = try Daemon("exits", executable: "sh", arguments: ["-c", "echo bye; exit 3"])
        try await eventually("the daemon to exit") { !daemon.isRunning }
        #expect(daemon.exitStatus == 3)
        #expect(daemon.log == "bye\n")
        await daemon.stop()
        #expect(daemon.exitStatus == 3)
    }

    /// Running or stopped, not a zombie: a zombie's pid still answers kill(0).
    static func alive(_ pid: Int32) -> Bool { ![nil, "Z"].contains(Processes.state(of: "\(pid)")) }
}
