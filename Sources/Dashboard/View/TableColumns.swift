import Foundation
import HAProxy
import Serf
import TerminalUI

/// The node table's columns, and which of them fit a width.
struct TableColumn {
    enum ID: Hashable { case name, address, role, gossip, lb, weight, sessions, rate, spark, check, changed }
    let id: ID
    let title: String
    let minWidth: Int
    let maxWidth: Int
    /// Lower keeps its place on narrow screens.
    let priority: Int
    let rightAligned: Bool

    static func all(glyphs: Glyphs) -> [TableColumn] {
        [
            TableColumn(id: .name, title: "NAME", minWidth: 10, maxWidth: 24, priority: 0, rightAligned: false),
            TableColumn(id: .address, title: "ADDRESS", minWidth: 15, maxWidth: 15, priority: 7, rightAligned: false),
            TableColumn(id: .role, title: "ROLE", minWidth: 8, maxWidth: 12, priority: 4, rightAligned: false),
            TableColumn(id: .gossip, title: "GOSSIP", minWidth: 7, maxWidth: 11, priority: 1, rightAligned: false),
            TableColumn(id: .lb, title: "LB", minWidth: 8, maxWidth: 12, priority: 2, rightAligned: false),
            TableColumn(id: .weight, title: "W", minWidth: 3, maxWidth: 3, priority: 6, rightAligned: true),
            TableColumn(id: .sessions, title: "SESS", minWidth: 5, maxWidth: 6, priority: 3, rightAligned: true),
            TableColumn(id: .rate, title: "REQ/s", minWidth: 5, maxWidth: 6, priority: 3, rightAligned: true),
            TableColumn(id: .spark, title: String(glyphs.sparkline.prefix(7).map { $0 }), minWidth: 8, maxWidth: 60, priority: 5, rightAligned: false),
            TableColumn(id: .check, title: "CHECK", minWidth: 10, maxWidth: 14, priority: 8, rightAligned: false),
            TableColumn(id: .changed, title: "CHANGED", minWidth: 7, maxWidth: 7, priority: 9, rightAligned: false),
        ]
    }

    /// The columns that fit `width`, with their widths, in display order.
    static func fit(_ columns: [TableColumn], width: Int) -> [(TableColumn, Int)] {
        var chosen = Set<ID>()
        var used = 1 // left margin
        for c in columns.sorted(by: { $0.priority < $1.priority }) where used + c.minWidth + 1 <= width {
            chosen.insert(c.id)
            used += c.minWidth + 1
        }
        var widths = Dictionary(uniqueKeysWithValues: columns.filter { chosen.contains($0.id) }.map { ($0.id, $0.minWidth) })
        var spare = width - used
        // The name first: it is what a row is read by. Then the fixed-size
        // ones to their maximum, the sparkline last.
        if chosen.contains(.name), let c = columns.first(where: { $0.id == .name }) {
            let grow = min(spare, c.maxWidth - widths[.name]!)
            widths[.name]! += grow
            spare -= grow
        }
        for c in columns.sorted(by: { $0.priority < $1.priority }) where chosen.contains(c.id) && c.id != .spark && c.id != .name {
            let grow = min(spare, c.maxWidth - c.minWidth)
            widths[c.id]! += grow
            spare -= grow
        }
        for id in [TableColumn.ID.spark] where chosen.contains(id) {
            let c = columns.first { $0.id == id }!
            let grow = min(spare, c.maxWidth - widths[id]!)
            widths[id]! += grow
            spare -= grow
        }
        return columns.filter { chosen.contains($0.id) }.map { ($0, widths[$0.id]!) }
    }
}

/// What each column says for a row, and in what role.
enum CellText {
    /// After a REQ/s value that counts sessions.
    static let sessionMark = "*"

    static func value(_ id: TableColumn.ID, _ row: NodeRow, width: Int, now: Date, glyphs: Glyphs) -> (String, StyleRole) {
        switch id {
        case .name: return (row.name, .row)
        case .address: return (row.address, .row)
        case .role: return row.holdsVIP ? (row.role + " vip", .mark) : (row.role, .dim)
        case .gossip:
            guard let g = row.gossip else { return ("absent", .mark) }
            return (g.rawValue + (row.flaps > 0 ? " \(glyphs.flap)\(row.flaps)" : ""), role(g))
        case .lb:
            if row.mark == .notInLB { return ("absent", .mark) }
            if row.mark == .badName { return ("bad name", .mark) }
            guard let s = row.lbStatus else { return (glyphs.dash, .dim) }
            guard row.balancerCount > 1 else { return (s.raw, role(s)) }
            // Several balancers: alike, how many; not, each one's view.
            if !row.balancersDisagree { return ("\(s.word) \(glyphs.times)\(row.servers.count)", role(s)) }
            let missing = max(0, row.balancerCount - Set(row.servers.map(\.balancer)).count)
            let words = row.servers.map { $0.row.status?.word ?? "?" } + Array(repeating: glyphs.dash, count: missing)
            return (words.joined(separator: " "), .mark)
        case .weight: return (row.weight.map(String.init) ?? "", .row)
        case .sessions: return (row.sessions.map(String.init) ?? "", .row)
        case .rate:
            switch row.traffic {
            case .requests(let n)?: return (String(n), .row)
            // Marked, so that sessions are not read as requests (HAProxy gives servers no req_rate).
            case .sessions(let n)?: return ("\(n)\(sessionMark)", .dim)
            case nil: return ("", .row)
            }
        case .spark:
            // A frozen sparkline would pass for a quiet server: say how old the figures are instead.
            if let since = row.staleSince { return (staleAge(now.timeIntervalSince(since)), .dim) }
            return (row.servers.isEmpty ? "" : Sparkline.render(row.history, width: width, glyphs: glyphs), .sparkline)
        case .check:
            guard let c = row.check else { return ("", .row) }
            return (c, passed(c) ? .dim : .down)
        case .changed: return (row.changedAt.map { age(now.timeIntervalSince($0)) } ?? "", .dim)
        }
    }

    /// Whether a check status says the check passed ("L7OK", "L4OK",
    /// "L7OKC"): it has "OK" in it. HAProxy's statuses are ASCII words, and a
    /// byte scan is much cheaper than a generic substring search done for
    /// every row of every frame.
    static func passed(_ check: String) -> Bool {
        var previous: UInt8 = 0
        for byte in check.utf8 {
            if previous == UInt8(ascii: "O") && byte == UInt8(ascii: "K") { return true }
            previous = byte
        }
        return false
    }

    static func role(_ s: MemberStatus) -> StyleRole {
        switch s {
        case .alive: return .alive
        case .suspect: return .suspect
        case .leaving: return .leaving
        case .left, .none: return .left
        case .failed: return .failed
        }
    }

    static func role(_ s: ServerStatus) -> StyleRole {
        if s.transition != nil { return .transition }
        switch s.state {
        case .up, .open, .noCheck: return .up
        case .down, .stop: return .down
        case .drain: return .drain
        case .maint: return .maint
        case .noLB, .full: return .nolb
        case .unknown: return .row
        }
    }

    /// How old a row's data is when its balancer stopped answering.
    static func staleAge(_ seconds: TimeInterval) -> String { "\(age(seconds)) old" }

    /// 42s, 3m, 5h, 2d.
    static func age(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }
}
