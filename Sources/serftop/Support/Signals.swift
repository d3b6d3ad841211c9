import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM as an async event, so that commands can leave the
/// cluster gracefully instead of dying mid-gossip.
enum TerminationSignal {
    /// Returns when SIGINT, SIGTERM or SIGHUP (the ssh session dropped) arrives; the signal's number.
    static func wait() async -> Int32 {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = [SIGINT, SIGTERM, SIGHUP].map { sig -> any DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { continuation.yield(sig) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        for await sig in stream { return sig }
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
