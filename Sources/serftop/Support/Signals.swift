import Dispatch
import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM as an async event, so that commands can leave the
/// cluster gracefully instead of dying mid-gossip.
enum TerminationSignal {
    static let signals = [SIGINT, SIGTERM, SIGHUP]

    /// Returns when SIGINT, SIGTERM or SIGHUP (the ssh session dropped)
    /// arrives; the signal's number. From then on the exit is bounded: a
    /// second signal exits at once, and the process exits by itself if
    /// leaving takes longer than `ExitGuard.grace`.
    static func wait() async -> Int32 {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = signals.map { sig -> any DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { continuation.yield(sig) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        for await sig in stream {
            ExitGuard.arm(within: ExitGuard.grace, signal: sig)
            return sig
        }
        return SIGTERM
    }

    /// Runs `body` until it finishes or a termination signal arrives, then
    /// runs `cleanup` either way.
    static func run(_ body: @escaping @Sendable () async throws -> Void,
                    cleanup: @escaping @Sendable () async -> Void) async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await body() }
                group.addTask { _ = await wait() }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }
}

/// Bounds how long a process may take to go once it has been asked to:
/// leaving a cluster whose members are gone, or scraping a balancer that
/// hangs, must never keep an operator's terminal.
enum ExitGuard {
    /// How long leaving may take once asked.
    nonisolated(unsafe) static var grace: Duration = .seconds(5)
    /// Run before a forced exit (the dashboard restores the terminal here).
    nonisolated(unsafe) static var beforeForcedExit: (@Sendable () -> Void)?
    private static let armed = NSLock()
    nonisolated(unsafe) private static var isArmed = false
    nonisolated(unsafe) private static var keep: [any DispatchSourceProtocol] = []

    /// From now on: a further SIGINT, SIGTERM or SIGHUP exits at once, and
    /// the process exits by itself after `limit`.
    static func arm(within limit: Duration, signal first: Int32? = nil) {
        armed.lock(); defer { armed.unlock() }
        guard !isArmed else { return }
        isArmed = true
        let code = 128 + (first ?? SIGTERM)
        for sig in TerminationSignal.signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { forceExit("interrupted again: exiting without waiting", code: 128 + sig) }
            source.resume()
            keep.append(source)
        }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + .nanoseconds(Int(TimeAmount(limit).nanoseconds)))
        timer.setEventHandler {
            forceExit("leaving took longer than \(limit.formatted()): exiting without waiting", code: code)
        }
        timer.resume()
        keep.append(timer)
    }

    static func forceExit(_ why: String, code: Int32) -> Never {
        beforeForcedExit?()
        FileHandle.standardError.write(Data("serftop: \(why)\n".utf8))
        _exit(code)
    }
}
