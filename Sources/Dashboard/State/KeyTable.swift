import TerminalUI

/// Every key of the node table, once: the reducer handles keys through it,
/// and the footer and the help overlay are drawn from it, so the three
/// cannot disagree. In help order; the footer keeps the same order.
public enum KeyTable {
    public static let entries: [KeyEntry] = [
        KeyEntry([(.up, .move(-1)), (.down, .move(1)), (.char("k"), .move(-1)), (.char("j"), .move(1))],
                 names: { "\($0.arrowUp) \($0.arrowDown)  j k" }, help: "move"),
        KeyEntry([(.pageUp, .page(-1)), (.pageDown, .page(1)), (.home, .first), (.end, .last),
                  (.char("g"), .first), (.char("G"), .last)],
                 names: "PgUp PgDn  g G", help: "page, first, last"),
        KeyEntry([(.enter, .details), (.char("b"), .nextBalancer)], names: "Enter  b",
                 help: "details of the node; b there: act on one balancer or all"),
        KeyEntry([(.char("d"), .drain)], names: "d", footer: .hint("drain"),
                 help: "drain the node: no new sessions, current ones finish", readOnly: false),
        KeyEntry([(.char("r"), .ready)], names: "r", footer: .hint("ready"), help: "ready: back in rotation", readOnly: false),
        KeyEntry([(.char("m"), .maint)], names: "m", footer: .hint("maint"), help: "maint: out of rotation at once", readOnly: false),
        KeyEntry([(.char("D"), .drainThenMaint)], names: "D", footer: .hint("drain+maint"),
                 help: "drain, wait for its sessions to end, then maint", readOnly: false),
        KeyEntry([(.char("a"), .add)], names: "a", footer: .hint("add"), help: "add a node: join one at an address",
                 provisioningHelp: "add a node (runs the --provision command)", readOnly: false),
        KeyEntry([(.char("R"), .reload)], names: "R", footer: .hint("reload"),
                 help: "make the balancers re-render their config and reload", readOnly: false),
        KeyEntry([(.char("/"), .filter), (.escape, .clearFilter)], names: "/", footer: .hint("filter"),
                 help: "filter by name, role, status, tag or k=v; Esc clears"),
        KeyEntry([(.char("s"), .nextSort), (.char("S"), .reverseSort)], names: "s  S", footer: .hint("sort"),
                 help: "next sort column; reverse"),
        KeyEntry([(.char("t"), .nextTheme)], names: "t", footer: .hint("theme"), help: "next theme"),
        KeyEntry([(.char("e"), .toggleEvents)], names: "e", footer: .hint("events"), help: "show or hide events"),
        // One line for both, so that the help still fits 24 lines.
        KeyEntry([(.char("p"), .pause), (.char("x"), .snapshot)], names: "p  x", footer: .hint("pause"),
                 help: "pause the view, p again resumes; x saves text and SVG"),
        KeyEntry([(.click(x: 0, y: 0), .selectClicked), (.scrollUp, .move(-3)), (.scrollDown, .move(3))],
                 names: "mouse", help: "click a row to select it"),
        KeyEntry([(.char("?"), .help)], names: "?", footer: .pinned("help"), help: "this help"),
        KeyEntry([(.char("q"), .quit), (.ctrlC, .quit)], names: "q  Ctrl-C", footer: .pinned("quit"),
                 help: "quit (leaves the cluster gracefully)"),
    ]

    /// The entry that takes `key`, and what it asks for.
    public static func lookup(_ key: Key) -> (entry: KeyEntry, command: KeyCommand)? {
        for entry in entries {
            if let command = entry.command(for: key) { return (entry, command) }
        }
        return nil
    }

    /// The entries the footer and the help show.
    public static func shown(readOnly: Bool) -> [KeyEntry] {
        entries.filter { $0.readOnly || !readOnly }
    }
}
