import Foundation
import TerminalUI

/// The columns the node table can be sorted by (`s` cycles, `S` reverses).
public enum SortKey: String, Sendable, CaseIterable {
    case name, address, role, gossip, lb, sessions, rate, changed

    public var next: SortKey {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    /// The text the column sorts in natural order, for the columns that do;
    /// those sort on keys made once per row (NaturalOrder.key).
    var naturalField: ((NodeRow) -> String)? {
        switch self {
        case .name: return { $0.name }
        case .address: return { $0.address }
        default: return nil
        }
    }

    /// The column's order, one pair of rows at a time.
    func less(_ a: NodeRow, _ b: NodeRow) -> Bool {
        switch self {
        case .name: return NaturalOrder.less(a.name, b.name)
        case .address: return NaturalOrder.less(a.address, b.address)
        case .role: return a.role < b.role
        case .gossip: return (a.gossip?.rawValue ?? "~") < (b.gossip?.rawValue ?? "~")
        case .lb: return (a.lbStatus?.raw ?? "~") < (b.lbStatus?.raw ?? "~")
        case .sessions: return (a.sessions ?? -1) > (b.sessions ?? -1)
        case .rate: return (a.traffic?.perSecond ?? -1) > (b.traffic?.perSecond ?? -1)
        case .changed: return (a.changedAt ?? .distantPast) > (b.changedAt ?? .distantPast)
        }
    }
}

