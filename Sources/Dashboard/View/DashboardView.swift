import BalancerContract
import Foundation
import HAProxy
import Serf
import TerminalUI

/// The dashboard as a pure function: model, state and size in, a frame out.
public struct DashboardView: Sendable {
    public var glyphs: Glyphs
    public var provisioning: Bool

    public init(glyphs: Glyphs, provisioning: Bool = false) {
        self.glyphs = glyphs
        self.provisioning = provisioning
    }

    public func render(_ model: ClusterModel, _ state: DashboardState, width: Int, height: Int, now: Date,
                       rows precomputed: [NodeRow]? = nil) -> CellGrid {
        var grid = CellGrid(width: width, height: height)
        let layout = DashboardLayout(width: width, height: height, showEvents: state.showEvents)
        if layout.tooSmall {
            drawTooSmall(&grid)
            return grid
        }
        let rows = state.visible(precomputed ?? model.rows())
        drawHeader(&grid, model, now: now, paused: state.paused)
        drawTable(&grid, rows, state, layout, now: now)
        if let top = layout.eventsTop { drawEvents(&grid, model, top: top, lines: layout.eventLines) }
        drawFooter(&grid, state, layout)
        switch state.mode {
        case .help: drawHelp(&grid, state)
        case .details(let node, let scroll):
            if let row = rows.first(where: { $0.name == node }) ?? model.rows().first(where: { $0.name == node }) {
                drawDetails(&grid, row, model, scroll: scroll, actOn: state.actOn, now: now)
            }
        default: break
        }
        return grid
    }

    // MARK: Too small

    func drawTooSmall(_ g: inout CellGrid) {
        let x = glyphs.times
        let lines = ["serftop needs a terminal of at least \(DashboardLayout.minWidth)\(x)\(DashboardLayout.minHeight).",
                     "This one is \(g.width)\(x)\(g.height): make it larger, or press q to quit."]
        let top = max(0, g.height / 2 - 1)
        for (i, l) in lines.enumerated() {
            let text = l.truncated(to: g.width, ellipsis: glyphs.ellipsis)
            g.put(text, x: max(0, (g.width - text.columns) / 2), y: top + i, role: i == 0 ? .warning : .normal)
        }
    }

    // MARK: Header

    func drawHeader(_ g: inout CellGrid, _ model: ClusterModel, now: Date, paused: Bool = false) {
        g.fill(x: 0, y: 0, width: g.width, height: 1, role: .header)
        let c = model.counts
        var parts = ["serftop"]
        if paused { parts.append(Self.pausedMark) }
        var detail: [String] = []
        if c.alive > 0 { detail.append("\(c.alive) alive") }
        if c.suspect > 0 { detail.append("\(c.suspect) suspect") }
        if c.leaving > 0 { detail.append("\(c.leaving) leaving") }
        if c.failed > 0 { detail.append("\(c.failed) failed") }
        if c.left > 0 { detail.append("\(c.left) left") }
        parts.append("cluster: \(c.total) member\(c.total == 1 ? "" : "s")" + (detail.isEmpty ? "" : " (\(detail.joined(separator: ", ")))"))
        if model.balancers.isEmpty {
            parts.append("haproxy: none found")
        } else {
            for b in model.balancers {
                let mark = b.isReachable ? glyphs.ok : glyphs.bad
                parts.append("haproxy \(b.label) \(mark)" + (b.version.map { " \($0)" } ?? "") + " (\(b.provenance))")
            }
        }
        if let age = model.dataAge(now: now) { parts.append("\(glyphs.refresh) \(CellText.age(age))") }
        let separator = "  "
        g.put(" " + parts.joined(separator: separator), x: 0, y: 0, role: .header, maxWidth: g.width)
        // Second, where a narrow screen does not cut it off.
        if paused {
            g.restyle(x: 1 + parts[0].columns + separator.count, y: 0, width: Self.pausedMark.count, height: 1, role: .warning)
        }
    }

    static let pausedMark = "PAUSED"

    // MARK: Table

    func drawTable(_ g: inout CellGrid, _ rows: [NodeRow], _ state: DashboardState, _ layout: DashboardLayout, now: Date) {
        let columns = TableColumn.fit(TableColumn.all(glyphs: glyphs), width: g.width)
        var x = 1
        for (col, w) in columns {
            var title = col.title
            if sortColumn(state.sort) == col.id { title += state.reverse ? glyphs.arrowUp : glyphs.arrowDown }
            g.put(title.truncated(to: w, ellipsis: "").padded(to: w, right: col.rightAligned), x: x, y: 1, role: .title)
            x += w + 1
        }
        if rows.isEmpty {
            let text = state.filter.isEmpty ? "no members yet: waiting for the cluster" : "no node matches the filter '\(state.filter)' (Esc clears it)"
            g.put(text, x: 2, y: layout.tableTop + 1, role: .dim)
            return
        }
        let selected = state.selectedRow(rows)?.name
        for i in 0 ..< layout.tableRows {
            let index = state.scroll + i
            guard rows.indices.contains(index) else { break }
            let row = rows[index]
            let y = layout.tableTop + i
            var x = 1
            for (col, w) in columns {
                let (text, role) = CellText.value(col.id, row, width: w, now: now, glyphs: glyphs)
                g.put(text, x: x, y: y, role: role, width: w, ellipsis: glyphs.ellipsis, rightAligned: col.rightAligned)
                x += w + 1
            }
            // Old numbers must not pass for current ones.
            if row.staleSince != nil { g.restyle(x: 0, y: y, width: g.width, height: 1, role: .dim) }
            if row.name == selected { g.restyle(x: 0, y: y, width: g.width, height: 1, role: .selected) }
        }
        if rows.count > layout.tableRows {
            let more = "\(state.scroll + 1)\(glyphs.to)\(min(rows.count, state.scroll + layout.tableRows)) of \(rows.count)"
            g.put(more, x: g.width - more.columns - 1, y: 1, role: .dim)
        }
    }

    func sortColumn(_ key: SortKey) -> TableColumn.ID {
        switch key {
        case .name: return .name
        case .address: return .address
        case .role: return .role
        case .gossip: return .gossip
        case .lb: return .lb
        case .sessions: return .sessions
        case .rate: return .rate
        case .changed: return .changed
        }
    }

    // MARK: Events and frontends

    func drawEvents(_ g: inout CellGrid, _ model: ClusterModel, top: Int, lines: Int) {
        let frontWidth = g.width >= 100 ? 40 : 30
        let eventWidth = g.width - frontWidth - 1
        let rule = String(repeating: glyphs.horizontal, count: g.width)
        g.put(rule, x: 0, y: top, role: .border)
        g.put("\(glyphs.horizontal) events ", x: 0, y: top, role: .border)
        g.put(" frontends ", x: eventWidth + 1, y: top, role: .border)
        let entries = model.log.entries.suffix(lines)
        for (i, e) in entries.enumerated() {
            let text = "\(ClockText.hms(e.time)) \(e.text)"
            g.put(text.truncated(to: eventWidth - 1, ellipsis: glyphs.ellipsis), x: 1, y: top + 1 + i, role: role(e.kind))
        }
        for y in top + 1 ... top + lines { g.put(String(glyphs.vertical), x: eventWidth, y: y, role: .border) }
        var y = top + 1
        let fronts = model.siteFrontends
        if fronts.isEmpty {
            g.put(model.balancers.isEmpty ? "no balancer" : "no frontend data", x: eventWidth + 2, y: y, role: .dim)
            return
        }
        let history = Sparkline.render(model.frontendHistory.samples, width: min(12, frontWidth - 14), glyphs: glyphs)
        switch TrafficRate(fronts.map(\.row)) {
        case .sessions(let n)?: g.put("sess/s \(n) ", x: eventWidth + 2, y: y, role: .normal)
        case let traffic: g.put("req/s \(traffic?.perSecond ?? 0) ", x: eventWidth + 2, y: y, role: .normal)
        }
        g.put(history, x: eventWidth + 14, y: y, role: .sparkline)
        y += 1
        for (balancer, row) in fronts where y <= top + lines {
            let limit = row.sessionLimit.map { "/\($0)" } ?? ""
            let text = "\(row.proxy)@\(balancer) sess \(row.currentSessions ?? 0)\(limit) \(row.status?.raw ?? "")"
            g.put(text.truncated(to: frontWidth - 2, ellipsis: glyphs.ellipsis), x: eventWidth + 2, y: y, role: row.status?.state == .open ? .normal : .down)
            y += 1
        }
    }

    func role(_ kind: EventLog.Kind) -> StyleRole {
        switch kind {
        case .join: return .eventJoin
        case .leave, .reap: return .eventLeave
        case .failed: return .eventFailed
        case .update, .user, .info: return .eventInfo
        case .action: return .eventAction
        case .result: return .eventResult
        case .failure, .scrape: return .eventError
        case .reload: return .eventReload
        }
    }

    // MARK: Footer

    func drawFooter(_ g: inout CellGrid, _ state: DashboardState, _ layout: DashboardLayout) {
        let y = layout.footer
        g.fill(x: 0, y: y, width: g.width, height: 1, role: .keyHint)
        switch state.mode {
        case .filtering:
            g.fill(x: 0, y: y, width: g.width, height: 1, role: .prompt)
            g.put(" filter (name, role, status, tag or k=v; Enter keeps, Esc clears): \(state.filter)_", x: 0, y: y, role: .prompt)
            return
        case .confirm(_, let question):
            g.fill(x: 0, y: y, width: g.width, height: 1, role: .warning)
            g.put(" \(question)  y: yes   any other key: no", x: 0, y: y, role: .warning)
            return
        case .prompt(.joinAddress, let text):
            g.fill(x: 0, y: y, width: g.width, height: 1, role: .prompt)
            g.put(" join a node at (HOST[:PORT], Enter to join, Esc to cancel): \(text)_", x: 0, y: y, role: .prompt)
            return
        default: break
        }
        if let notice = state.notice {
            g.put(" \(notice)", x: 0, y: y, role: .warning, maxWidth: g.width)
            return
        }
        var keys: [(String, String)] = [], fixed: [(String, String)] = []
        for entry in KeyTable.shown(readOnly: state.readOnly) {
            switch entry.footer {
            case .none: break
            case .hint(let label): keys.append((entry.footerKey, footerLabel(label, entry, state)))
            case .pinned(let label): fixed.append((entry.footerKey, label))
            }
        }
        let fixedWidth = fixed.reduce(0) { $0 + $1.0.columns + $1.1.columns + 3 }
        var x = 1
        if state.readOnly { x += g.put("READ-ONLY ", x: x, y: y, role: .warning) + 1 }
        for (k, label) in keys {
            guard x + k.columns + label.columns + 3 <= g.width - fixedWidth else { break }
            x += g.put(k, x: x, y: y, role: .key)
            x += g.put(" \(label)  ", x: x, y: y, role: .keyHint)
        }
        x = g.width - fixedWidth
        for (k, label) in fixed {
            x += g.put(k, x: x, y: y, role: .key)
            x += g.put(" \(label)  ", x: x, y: y, role: .keyHint)
        }
    }

    /// Filter and sort say what they are set to.
    func footerLabel(_ label: String, _ entry: KeyEntry, _ state: DashboardState) -> String {
        switch entry.presses.first?.command {
        case .filter: return state.filter.isEmpty ? label : "\(label):\(state.filter)"
        case .nextSort: return "\(label):\(state.sort.rawValue)"
        case .pause: return state.paused ? "resume" : label
        default: return label
        }
    }

    // MARK: Overlays

    func box(_ g: inout CellGrid, x: Int, y: Int, width w: Int, height h: Int, title: String) {
        g.fill(x: x, y: y, width: w, height: h, role: .overlay)
        let (tl, tr, bl, br) = glyphs.corners
        let line = String(repeating: glyphs.horizontal, count: max(0, w - 2))
        g.put(String(tl) + line + String(tr), x: x, y: y, role: .border)
        g.put(String(bl) + line + String(br), x: x, y: y + h - 1, role: .border)
        for row in y + 1 ..< y + h - 1 {
            g.put(String(glyphs.vertical), x: x, y: row, role: .border)
            g.put(String(glyphs.vertical), x: x + w - 1, y: row, role: .border)
        }
        g.put(" \(title) ", x: x + 2, y: y, role: .title)
    }

    func drawHelp(_ g: inout CellGrid, _ state: DashboardState) {
        var lines = KeyTable.shown(readOnly: state.readOnly).map { ($0.names(glyphs), $0.help(provisioning: provisioning)) }
        // Not a key: what a starred rate means.
        lines.append(("REQ/s N\(CellText.sessionMark)", "sessions per second: HAProxy gives servers no request rate; in HTTP mode each request is a session there"))
        let h = min(g.height - 2, lines.count + 4)
        let w = min(g.width - 4, 76)
        let x = (g.width - w) / 2, y = max(1, (g.height - h) / 2)
        box(&g, x: x, y: y, width: w, height: h, title: "keys")
        for (i, (k, text)) in lines.prefix(h - 4).enumerated() {
            g.put(k.padded(to: 16), x: x + 2, y: y + 2 + i, role: .key)
            g.put(text.truncated(to: w - 20, ellipsis: glyphs.ellipsis), x: x + 19, y: y + 2 + i, role: .overlay)
        }
        g.put("any key closes", x: x + w - 17, y: y + h - 1, role: .dim)
    }

    func drawDetails(_ g: inout CellGrid, _ row: NodeRow, _ model: ClusterModel, scroll: Int, actOn: String? = nil, now: Date) {
        var lines: [(String, StyleRole)] = []
        if let m = row.member {
            lines.append(("gossip   \(m.status.rawValue)  \(m.endpoint)" + (row.changedAt.map { "  (changed \(CellText.age(now.timeIntervalSince($0))) ago)" } ?? ""), CellText.role(m.status)))
            lines.append(("tags     " + m.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "  "), .overlay))
            lines.append(("protocol memberlist \(m.protocolCur) (understands \(m.protocolMin)\(glyphs.to)\(m.protocolMax)), serf \(m.delegateCur) (\(m.delegateMin)\(glyphs.to)\(m.delegateMax))", .overlay))
        } else {
            lines.append(("gossip   not a member: HAProxy has this server, the cluster does not know it", .mark))
        }
        lines += MemberHistoryLines.lines(model.memberHistory[row.name], hasDetails: model.historyHasDetails,
                                          flap: glyphs.flap, now: now)
        if let since = row.staleSince {
            lines.append(("haproxy  \(CellText.staleAge(now.timeIntervalSince(since))): a balancer did not answer the last scrape; its figures are from then", .mark))
        }
        if row.mark == .notInLB { lines.append(("haproxy  not a server of any balancer, though tagged \(ClusterRoles.tag)=\(row.role)", .mark)) }
        if row.balancerCount > 1 {
            let have = Set(row.servers.map(\.balancer))
            let views = model.balancers.filter { $0.snapshot != nil }.map { b in
                "\(b.label) " + (have.contains(b.label) ? row.servers.filter { $0.balancer == b.label }.map { $0.row.status?.raw ?? "?" }.joined(separator: "/") : "does not have it")
            }
            if !row.servers.isEmpty {
                lines.append(("haproxy  " + (row.balancersDisagree ? "the balancers disagree: " : "every balancer alike: ") + views.joined(separator: ", "),
                              row.balancersDisagree ? .mark : .overlay))
            }
        }
        if row.balancerCount > 1 && !row.servers.isEmpty {
            lines.append(("actions  d r m D act on " + (actOn.map { "\($0) only" } ?? "every balancer") + " (b: the next)",
                          actOn == nil ? .overlay : .mark))
        }
        if row.holdsVIP, let vip = row.member?.tags[ClusterRoles.vipTag] {
            lines.append(("vip      holds the balancers' virtual address \(vip) (its VRRP notify script says so)", .overlay))
        }
        if case .sessions(let n)? = row.traffic {
            lines.append(("traffic  \(n) sessions/s; HAProxy gives servers no request rate (req_rate); in HTTP mode each request forwarded is one session", .overlay))
        }
        for b in model.balancers where b.memberName == row.name || (row.member == nil && b.label == row.name) {
            let how = b.origin == .configured ? "given with --haproxy" : "found through gossip"
            let auth = b.sendsCredentials ? "stats credentials sent" : "no stats credentials sent"
            lines.append(("stats    \(b.endpoint.authority): \(how); \(auth)", .overlay))
        }
        if case .failure(let error) = row.serverName {
            lines.append(("haproxy  no server: \(error)", .mark))
            lines.append(("         the balancer leaves it out and every action on it is refused; rename the node", .mark))
        }
        for ref in row.servers {
            lines.append(("", .overlay))
            lines.append(("\(glyphs.horizontal) \(ref.balancer): \(ref.row.qualifiedName) \(glyphs.horizontal)", .title))
            let values = ref.row.values
            let fields = ref.row.header.columns.enumerated().compactMap { i, name -> String? in
                guard i < values.count, !values[i].isEmpty else { return nil }
                return "\(name)=\(values[i])"
            }
            // As many fields per line as fit.
            var line = ""
            for f in fields {
                if !line.isEmpty && line.columns + f.columns + 2 > g.width - 10 {
                    lines.append((line, .overlay))
                    line = ""
                }
                line += (line.isEmpty ? "" : "  ") + f
            }
            if !line.isEmpty { lines.append((line, .overlay)) }
        }
        let x = 2, y = 2, w = g.width - 4, h = g.height - 4
        box(&g, x: x, y: y, width: w, height: h, title: "\(row.name)  \(row.address)  \(row.role)")
        let visible = h - 2
        let start = min(scroll, max(0, lines.count - visible))
        for (i, (text, role)) in lines.dropFirst(start).prefix(visible).enumerated() {
            g.put(text.truncated(to: w - 4, ellipsis: glyphs.ellipsis), x: x + 2, y: y + 1 + i, role: role)
        }
        g.put("j/k scroll  Esc closes", x: x + w - 24, y: y + h - 1, role: .dim)
    }
}
