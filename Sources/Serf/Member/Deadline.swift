/// Runs `body`, giving up with `TimeLimitExceeded` after `limit`.
func withTimeLimit<T: Sendable>(_ limit: Duration, _ what: String,
                                _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeLimitExceeded(what: what, limit: limit)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

public struct TimeLimitExceeded: Error, Sendable, CustomStringConvertible {
    public let what: String
    public let limit: Duration
    public var description: String { "\(what) took longer than \(limit.formatted())" }
}

extension Duration {
    /// "1.5s", "200ms": short and readable.
    public func formatted() -> String {
        let (s, atto) = components
        let ms = Double(s) * 1000 + Double(atto) / 1e15
        if ms < 1000 { return "\(Int(ms.rounded()))ms" }
        let secs = ms / 1000
        return secs == secs.rounded() ? "\(Int(secs))s" : String(format: "%.1fs", secs)
    }
}

import Foundation
