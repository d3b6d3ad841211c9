/// A Lamport clock: orders intents, events and queries across the cluster
/// without synchronised wall clocks.
public struct LamportClock: Sendable, Hashable {
    public private(set) var time: UInt64

    /// Serf starts every clock at 1.
    public init(time: UInt64 = 1) { self.time = time }

    /// Advances and returns the new time.
    @discardableResult
    public mutating func increment() -> UInt64 {
        time += 1
        return time
    }

    /// Moves past a time seen elsewhere, so that our next stamp is later.
    public mutating func witness(_ other: UInt64) {
        if other >= time { time = other &+ 1 }
    }
}
