/// The last `capacity` samples of a number, oldest first (a sparkline's data).
public struct History: Sendable, Hashable {
    public let capacity: Int
    public private(set) var samples: [Int] = []

    public init(capacity: Int = 60) { self.capacity = capacity }

    public mutating func append(_ value: Int) {
        samples.append(value)
        if samples.count > capacity { samples.removeFirst(samples.count - capacity) }
    }

    public var last: Int? { samples.last }
}
