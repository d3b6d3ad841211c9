import Foundation

/// What happened, with times: membership changes, actions and their results,
/// reloads, scrape errors. The newest entries are kept.
public struct EventLog: Sendable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case join, leave, failed, update, reap, user
        case action, result, failure
        case reload, scrape
        case info
    }

    public struct Entry: Sendable, Hashable {
        public var time: Date
        public var kind: Kind
        public var text: String
    }

    public let capacity: Int
    public private(set) var entries: [Entry] = []

    public init(capacity: Int = 500) { self.capacity = capacity }

    public mutating func add(_ kind: Kind, _ text: String, at time: Date) {
        entries.append(Entry(time: time, kind: kind, text: text))
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }
}
