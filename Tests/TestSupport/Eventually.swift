import Foundation

public struct TimedOut: Error, CustomStringConvertible {
    public let what: String
    public let seconds: Double
    public var description: String { "timed out after \(seconds)s waiting for \(what)" }
}

/// Polls `condition` until it holds or `timeout` passes. Real daemons (serf,
/// haproxy) change state on their own clocks; tests wait for the state, never
/// for a fixed time.
public func eventually(_ what: String, timeout: Double = 10, every: Double = 0.05,
                       _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try await condition() { return }
        if Date() >= deadline { throw TimedOut(what: what, seconds: timeout) }
        try await Task.sleep(nanoseconds: UInt64(every * 1_000_000_000))
    }
}

/// Like `eventually`, but returns the first non-nil value `produce` gives.
public func eventuallyValue<T>(_ what: String, timeout: Double = 10, every: Double = 0.05,
                               _ produce: () async throws -> T?) async throws -> T {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if let value = try await produce() { return value }
        if Date() >= deadline { throw TimedOut(what: what, seconds: timeout) }
        try await Task.sleep(nanoseconds: UInt64(every * 1_000_000_000))
    }
}

extension Sequence where Element: Sendable {
    public func asyncAllSatisfy(_ predicate: (Element) async throws -> Bool) async rethrows -> Bool {
        for e in self where try await !predicate(e) { return false }
        return true
    }
}
