import Foundation
import HAProxy
import TerminalUI

/// Everything about the screen that is not the cluster: selection, filter,
/// sort, overlays, pending questions, drains on their way to maint. Changed
/// only by its reducers: `handle(_:context:)` for keys, `finished` and
/// `scraped` for what the runtime reports.
public struct DashboardState: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        case normal
        case filtering
        case help
        case details(node: String, scroll: Int)
        case confirm(ClusterAction, question: String)
        case prompt(Prompt, text: String)
    }

    public enum Prompt: Sendable, Equatable {
        case joinAddress
    }

    public var mode: Mode = .normal
    public var selected: String?
    public var scroll = 0
    public var filter = ""
    public var sort: SortKey = .name
    public var reverse = false
    public var showEvents = true
    public var readOnly = false
    /// A line for the footer until the next key (a refusal, a hint).
    public var notice: String?
    /// Nodes on their way to maint (the `D` key), once their drain went through.
    public var draining: [DrainTarget: DrainProgress] = [:]
    /// The view stays as it was when paused; the data keeps coming.
    public var paused = false
    /// The one balancer that d, r, m and D in the details act on (`b`); nil:
    /// every balancer. Forgotten when the details close.
    public var actOn: String?

    public init(readOnly: Bool = false) { self.readOnly = readOnly }

    /// What the reducer needs to know beyond itself.
    public struct Context: Sendable {
        public var rows: [NodeRow]
        public var layout: DashboardLayout
        public var canProvision: Bool
        public var nextNodeName: String
        /// The balancers with stats, by label: what `b` cycles through.
        public var balancers: [String]

        public init(rows: [NodeRow], layout: DashboardLayout, canProvision: Bool, nextNodeName: String, balancers: [String] = []) {
            self.rows = rows; self.layout = layout; self.canProvision = canProvision; self.nextNodeName = nextNodeName
            self.balancers = balancers
        }
    }

    public enum Effect: Sendable, Equatable {
        case quit
        case perform(ClusterAction)
        case nextTheme
        /// Save the screen as it is.
        case snapshot
        /// A line for the event pane.
        case log(EventLog.Kind, String)
    }

    /// The rows on screen, filtered and sorted.
    public func visible(_ rows: [NodeRow]) -> [NodeRow] {
        let needle = filter.lowercased()
        let kept = needle.isEmpty ? rows : rows.filter { Self.matches($0, needle) }
        // Sorting positions, not rows: a row is a large value, and moving it
        // costs a retain and release of every field.
        let order: [Int]
        if let field = sort.naturalField {
            let keys = kept.map { NaturalOrder.key(field($0)) }
            order = kept.indices.sorted { i, j in
                if keys[i] != keys[j] { return keys[i].lexicographicallyPrecedes(keys[j]) }
                let a = field(kept[i]), b = field(kept[j])
                return a != b ? a < b : kept[i].name < kept[j].name
            }
        } else {
            order = kept.withUnsafeBufferPointer { rows in
                rows.indices.sorted { i, j in
                    if sort.less(rows[i], rows[j]) { return true }
                    if sort.less(rows[j], rows[i]) { return false }
                    return rows[i].name < rows[j].name
                }
            }
        }
        let sorted = order.map { kept[$0] }
        return reverse ? sorted.reversed() : sorted
    }

    /// Name, role, status (gossip or LB), address or any tag, by substring;
    /// `key=value` matches a tag.
    static func matches(_ row: NodeRow, _ needle: String) -> Bool {
        if let eq = needle.firstIndex(of: "=") {
            let k = String(needle[..<eq]), v = String(needle[needle.index(after: eq)...])
            return row.member?.tags.contains { $0.key.lowercased() == k && $0.value.lowercased().contains(v) } ?? false
        }
        let fields = [row.name, row.role, row.address, row.gossip?.rawValue ?? "", row.lbStatus?.raw ?? "", row.mark?.rawValue ?? ""]
            + (row.member?.tags.values.map { $0 } ?? [])
        return fields.contains { $0.lowercased().contains(needle) }
    }

    /// One key press. Returns what the runtime should do.
    public mutating func handle(_ key: Key, context: Context) -> [Effect] {
        if case .ctrlC = key { return [.quit] }
        notice = nil
        let rows = visible(context.rows)
        switch mode {
        case .filtering:
            switch key {
            case .escape: filter = ""; mode = .normal
            case .enter: mode = .normal
            case .backspace: if !filter.isEmpty { filter.removeLast() }
            case .char(let c): filter.append(c)
            default: break
            }
            keepSelectionVisible(visible(context.rows), context.layout)
            return []
        case .help:
            mode = .normal
            return KeyTable.lookup(key)?.command == .quit ? [.quit] : []
        case .details(let node, let scroll):
            switch key {
            case .escape, .enter, .char("q"): mode = .normal; actOn = nil
            case .down, .char("j"): mode = .details(node: node, scroll: scroll + 1)
            case .up, .char("k"): mode = .details(node: node, scroll: max(0, scroll - 1))
            case .pageDown: mode = .details(node: node, scroll: scroll + 10)
            case .pageUp: mode = .details(node: node, scroll: max(0, scroll - 10))
            default:
                guard let command = KeyTable.lookup(key)?.command,
                      [.nextBalancer, .drain, .ready, .maint, .drainThenMaint].contains(command) else { break }
                if command == .nextBalancer {
                    chooseNextBalancer(context.balancers)
                    break
                }
                guard !readOnly else {
                    notice = "read-only: actions are disabled (started with --read-only)"
                    break
                }
                return askForAction(command, rows: context.rows.filter { $0.name == node }, context: context)
            }
            return []
        case .confirm(let action, _):
            // Only a deliberate `y` changes the cluster: Enter is what a
            // stray key, a mouse report taken for keys or a habit sends.
            mode = .normal
            if key == .char("y") || key == .char("Y") { return [.perform(action)] }
            notice = "cancelled: \(action)"
            return []
        case .prompt(let prompt, var text):
            switch key {
            case .escape: mode = .normal; notice = "cancelled"
            case .backspace: if !text.isEmpty { text.removeLast() }; mode = .prompt(prompt, text: text)
            case .char(let c): text.append(c); mode = .prompt(prompt, text: text)
            case .enter:
                mode = .normal
                let address = text.trimmingCharacters(in: .whitespaces)
                if !address.isEmpty { return [.perform(.join(address: address))] }
            default: break
            }
            return []
        case .normal:
            return handleNormal(key, rows: rows, context: context)
        }
    }

    /// The node table: keys mean what the key table says.
    mutating func handleNormal(_ key: Key, rows: [NodeRow], context: Context) -> [Effect] {
        guard let found = KeyTable.lookup(key) else { return [] }
        let command = found.command
        guard found.entry.readOnly || !readOnly else {
            notice = "read-only: actions are disabled (started with --read-only)"
            return []
        }
        let layout = context.layout
        switch command {
        case .quit: return [.quit]
        case .move(let rowsBy): move(by: rowsBy, rows, layout)
        case .page(let screens): move(by: screens * max(1, layout.tableRows - 1), rows, layout)
        case .first: select(rows.first?.name, rows, layout)
        case .last: select(rows.last?.name, rows, layout)
        case .details: if let s = selectedRow(rows) { mode = .details(node: s.name, scroll: 0) }
        case .help: mode = .help
        case .filter: mode = .filtering
        case .clearFilter: filter = ""
        case .nextSort: sort = sort.next; reverse = false
        case .reverseSort: reverse.toggle()
        case .toggleEvents: showEvents.toggle()
        case .nextTheme: return [.nextTheme]
        case .pause: paused.toggle()
        case .snapshot: return [.snapshot]
        case .selectClicked:
            guard case .click(_, let y) = key else { break }
            let index = y - layout.tableTop + scroll
            if y >= layout.tableTop, y < layout.tableTop + layout.tableRows, rows.indices.contains(index) {
                selected = rows[index].name
            }
        case .drain, .ready, .maint, .drainThenMaint, .add, .reload:
            return askForAction(command, rows: rows, context: context)
        case .nextBalancer:
            // The choice is made and shown in the details.
            if let s = selectedRow(rows) {
                mode = .details(node: s.name, scroll: 0)
                chooseNextBalancer(context.balancers)
            }
        }
        return []
    }

    /// Every balancer, then each alone in turn, then every one again (the
    /// details pane says which). With one balancer there is nothing to choose.
    mutating func chooseNextBalancer(_ balancers: [String]) {
        guard balancers.count > 1 else {
            actOn = nil
            return
        }
        if let current = actOn, let i = balancers.firstIndex(of: current) {
            actOn = i + 1 < balancers.count ? balancers[i + 1] : nil
        } else {
            actOn = balancers[0]
        }
    }

    /// Actions change the cluster: each is asked about first.
    mutating func askForAction(_ command: KeyCommand, rows: [NodeRow], context: Context) -> [Effect] {
        switch command {
        case .add:
            if context.canProvision {
                if case .failure(let error) = HAProxyName.server(forMember: context.nextNodeName) {
                    notice = "\(error)"
                    return []
                }
                mode = .confirm(.provision(name: context.nextNodeName), question: "Add node \(context.nextNodeName)?")
            } else {
                mode = .prompt(.joinAddress, text: "")
            }
        case .reload:
            mode = .confirm(.reload, question: "Re-render and reload every balancer?")
        default:
            guard let row = selectedRow(rows) else { notice = "no node selected"; return [] }
            let action: ClusterAction
            let question: String
            switch command {
            case .drain: action = .server(.drain, node: row.name); question = "Drain \(row.name)? (no new sessions; current ones finish)"
            case .ready: action = .server(.ready, node: row.name); question = "Set \(row.name) ready?"
            case .maint: action = .server(.maint, node: row.name); question = "Put \(row.name) in maintenance? (its sessions are cut)"
            case .drainThenMaint: action = .drainThenMaint(node: row.name); question = "Drain \(row.name), then maint when its sessions reach 0?"
            default: return []
            }
            if case .failure(let error) = row.serverName {
                notice = "\(error)"
                return []
            }
            if let balancer = actOn, case .details = mode {
                let one: ClusterAction
                switch action {
                case .server(let act, let node): one = .serverOn(act, node: node, balancer: balancer)
                case .drainThenMaint(let node, _): one = .drainThenMaint(node: node, balancer: balancer)
                default: return []
                }
                mode = .confirm(one, question: question + " On \(balancer) only.")
                actOn = nil
                return []
            }
            guard !row.servers.isEmpty || row.isBackend else {
                notice = "\(row.name) is not a server of any balancer"
                return []
            }
            mode = .confirm(action, question: question)
        }
        return []
    }

    public func selectedRow(_ rows: [NodeRow]) -> NodeRow? {
        if let selected, let r = rows.first(where: { $0.name == selected }) { return r }
        return rows.first
    }

    mutating func move(by delta: Int, _ rows: [NodeRow], _ layout: DashboardLayout) {
        guard !rows.isEmpty else { return }
        let current = selected.flatMap { s in rows.firstIndex { $0.name == s } } ?? 0
        let next = min(max(current + delta, 0), rows.count - 1)
        select(rows[next].name, rows, layout)
    }

    mutating func select(_ name: String?, _ rows: [NodeRow], _ layout: DashboardLayout) {
        selected = name
        keepSelectionVisible(rows, layout)
    }

    /// Scrolls so that the selected row is on screen.
    public mutating func keepSelectionVisible(_ rows: [NodeRow], _ layout: DashboardLayout) {
        let index = selected.flatMap { s in rows.firstIndex { $0.name == s } } ?? 0
        let height = max(1, layout.tableRows)
        if index < scroll { scroll = index }
        if index >= scroll + height { scroll = index - height + 1 }
        scroll = max(0, min(scroll, max(0, rows.count - height)))
    }
}
