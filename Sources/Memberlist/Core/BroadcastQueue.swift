/// Messages waiting to be gossiped, each sent a limited number of times.
///
/// The order is memberlist's: fewest transmissions first, then larger
/// messages, then newer ones. A message with a `name` (memberlist's are named
/// after the node they describe) replaces any older one of the same name, so
/// only the latest news about a node spreads.
public struct BroadcastQueue: Sendable {
    public struct Item: Sendable {
        public var id: Int
        public var transmits: Int
        public var bytes: [UInt8]
        public var name: String?
        /// Reported in `finished` once the message has been sent its last time
        /// or was replaced, so a caller can wait for a broadcast to go out.
        public var token: Int?
    }

    public private(set) var items: [Item] = []
    private var nextID = 0
    /// Tokens of broadcasts that are done, not yet collected.
    public private(set) var finished: [Int] = []

    public init() {}

    public var count: Int { items.count }
    public var isEmpty: Bool { items.isEmpty }

    public mutating func enqueue(_ bytes: [UInt8], name: String? = nil, token: Int? = nil) {
        if let name {
            items.removeAll { old in
                guard old.name == name else { return false }
                if let t = old.token { finished.append(t) }
                return true
            }
        }
        nextID += 1
        items.append(Item(id: nextID, transmits: 0, bytes: bytes, name: name, token: token))
    }

    /// Picks messages that fit in `limit` bytes, each costing its length plus
    /// `overhead`, counts a transmission for each, and drops those that
    /// reached the retransmit limit.
    public mutating func take(overhead: Int, limit: Int, transmitLimit: Int) -> [[UInt8]] {
        guard !items.isEmpty, limit > 0 else { return [] }
        let order = items.indices.sorted { a, b in
            let x = items[a], y = items[b]
            if x.transmits != y.transmits { return x.transmits < y.transmits }
            if x.bytes.count != y.bytes.count { return x.bytes.count > y.bytes.count }
            return x.id > y.id
        }
        var used = 0
        var out: [[UInt8]] = []
        var done = Set<Int>()
        for i in order {
            let cost = items[i].bytes.count + overhead
            guard used + cost <= limit else { continue }
            used += cost
            out.append(items[i].bytes)
            items[i].transmits += 1
            if items[i].transmits >= transmitLimit { done.insert(i) }
        }
        if !done.isEmpty {
            for i in done.sorted(by: >) {
                if let t = items[i].token { finished.append(t) }
                items.remove(at: i)
            }
        }
        return out
    }

    /// Returns and forgets the tokens of finished broadcasts.
    public mutating func collectFinished() -> [Int] {
        defer { finished.removeAll() }
        return finished
    }

    /// Drops everything (on shutdown), reporting the tokens as finished.
    public mutating func reset() {
        finished.append(contentsOf: items.compactMap(\.token))
        items.removeAll()
    }
}
