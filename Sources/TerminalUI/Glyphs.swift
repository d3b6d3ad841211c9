/// The characters that differ between a UTF-8 terminal and a plain one.
public struct Glyphs: Sendable, Hashable {
    public var sparkline: [Character]
    public var horizontal: Character
    public var vertical: Character
    public var corners: (Character, Character, Character, Character)
    public var ok: String
    public var bad: String
    public var refresh: String
    public var ellipsis: String
    public var dash: String
    public var arrowUp: String
    public var arrowDown: String
    /// Between two numbers of a range.
    public var to: String
    public var times: String
    /// Before a count of round trips back to the same state (a member that flaps).
    public var flap = "↻"

    public static let unicode = Glyphs(sparkline: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], horizontal: "─", vertical: "│",
                                       corners: ("┌", "┐", "└", "┘"), ok: "✓", bad: "✗", refresh: "⟳", ellipsis: "…",
                                       dash: "—", arrowUp: "▲", arrowDown: "▼", to: "–", times: "×")
    public static let ascii = Glyphs(sparkline: ["_", ".", "-", "=", "+", "*", "#", "@"], horizontal: "-", vertical: "|",
                                     corners: ("+", "+", "+", "+"), ok: "ok", bad: "X", refresh: "~", ellipsis: "~",
                                     dash: "-", arrowUp: "^", arrowDown: "v", to: "-", times: "x", flap: "~")

    /// UTF-8 when the locale says so (LC_ALL, LC_CTYPE, LANG).
    public static func forEnvironment(_ env: [String: String]) -> Glyphs {
        let locale = env["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LANG"] ?? ""
        let l = locale.lowercased()
        return l.contains("utf-8") || l.contains("utf8") ? .unicode : .ascii
    }

    public static func == (a: Glyphs, b: Glyphs) -> Bool { a.sparkline == b.sparkline && a.ok == b.ok }
    public func hash(into h: inout Hasher) { h.combine(sparkline); h.combine(ok) }
}
