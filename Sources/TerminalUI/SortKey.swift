import Cluster

/// The columns the node table can be sorted by (`s` cycles, `S` reverses).
public enum SortKey: String, Sendable, CaseIterable {
    case name, address, role, gossip, lb, sessions, rate, changed

    public var next: SortKey {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    func less(_ a: NodeRow, _ b: NodeRow) -> Bool {
        switch self {
        case .name: return NaturalOrder.less(a.name, b.name)
        case .address: return NaturalOrder.less(a.address, b.address)
        case .role: return a.role < b.role
        case .gossip: return (a.gossip?.rawValue ?? "~") < (b.gossip?.rawValue ?? "~")
        case .lb: return (a.lbStatus?.raw ?? "~") < (b.lbStatus?.raw ?? "~")
        case .sessions: return (a.sessions ?? -1) > (b.sessions ?? -1)
        case .rate: return (a.requestRate ?? -1) > (b.requestRate ?? -1)
        case .changed: return (a.changedAt ?? .distantPast) > (b.changedAt ?? .distantPast)
        }
    }
}

