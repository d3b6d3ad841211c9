import Foundation
import Serf

/// One member's status changes, newest last, and how often it flapped:
/// an alive → suspect or failed → alive round trip counts once.
public struct MemberHistory: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var time: Date
        public var status: MemberStatus
        /// What only the native member knows (MemberStatusChange); nil from
        /// member events and member lists.
        public var incarnation: UInt32?
        public var reportedBy: String?
        public var refuted = false
    }

    public let capacity: Int
    public private(set) var entries: [Entry] = []
    public private(set) var flaps = 0
    /// Down (suspect or failed) since it was last seen alive.
    private var wentDown = false

    public init(capacity: Int = 100) { self.capacity = capacity }

    /// A status as a member event or list gives it: a new entry only when
    /// the status is new, so that the same change heard twice counts once.
    public mutating func record(_ status: MemberStatus, at time: Date) {
        guard entries.last?.status != status else { return }
        append(Entry(time: time, status: status))
    }

    /// A change as the native member decided it. When the same status came
    /// first as a member event, its details fill that entry in.
    public mutating func record(_ change: MemberStatusChange, at time: Date) {
        if var last = entries.last, last.status == change.status, last.incarnation == nil, !change.refuted {
            last.incarnation = change.incarnation
            last.reportedBy = change.reportedBy
            entries[entries.count - 1] = last
            return
        }
        if let last = entries.last, last.status == change.status, last.incarnation == change.incarnation,
           !change.refuted {
            return
        }
        append(Entry(time: time, status: change.status, incarnation: change.incarnation,
                     reportedBy: change.reportedBy, refuted: change.refuted))
    }

    mutating func append(_ entry: Entry) {
        switch entry.status {
        case .suspect, .failed:
            if entries.last?.status == .alive || entries.last?.status == .suspect { wentDown = true }
        case .alive:
            if wentDown { flaps += 1 }
            wentDown = false
        case .leaving, .left, .none:
            wentDown = false
        }
        entries.append(entry)
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }
}
