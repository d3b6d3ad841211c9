/// How each role looks, for terminals of 256 colours, 16 colours, or none.
public struct Theme: Sendable, Hashable {
    public struct Style: Sendable, Hashable {
        /// 0–255; nil: the terminal's default.
        public var fg: Int?
        public var bg: Int?
        /// 0–15 (8–15 bright); nil: default.
        public var fg16: Int?
        public var bg16: Int?
        public var bold = false
        public var underline = false
        public var reverse = false

        public init(fg: Int? = nil, bg: Int? = nil, fg16: Int? = nil, bg16: Int? = nil,
                    bold: Bool = false, underline: Bool = false, reverse: Bool = false) {
            self.fg = fg; self.bg = bg; self.fg16 = fg16; self.bg16 = bg16
            self.bold = bold; self.underline = underline; self.reverse = reverse
        }
    }

    public var name: String
    public var styles: [StyleRole: Style]

    public init(name: String, styles: [StyleRole: Style]) {
        self.name = name
        self.styles = styles
    }

    public func style(_ role: StyleRole) -> Style {
        styles[role] ?? styles[Self.fallback(role)] ?? styles[.normal] ?? Style()
    }

    /// Roles a theme may leave out, and what they look like then.
    static func fallback(_ role: StyleRole) -> StyleRole {
        switch role {
        case .row, .title, .overlay, .prompt: return .normal
        case .leaving: return .suspect
        case .left: return .dim
        case .nolb, .transition: return .drain
        case .key: return .keyHint
        case .eventJoin: return .alive
        case .eventLeave: return .left
        case .eventFailed, .eventError: return .failed
        case .eventAction, .eventReload: return .keyHint
        case .eventResult: return .up
        case .eventInfo, .mark: return .dim
        default: return .normal
        }
    }

    /// Used when no theme file can be read: always there, always valid.
    /// `themes/default.yaml` says the same; a test keeps them equal.
    public static let builtIn = Theme(name: "default", styles: [
        .normal: Style(fg: 252, fg16: 7),
        .header: Style(fg: 231, bg: 24, fg16: 15, bg16: 4, bold: true),
        .title: Style(fg: 117, fg16: 14, bold: true),
        .dim: Style(fg: 244, fg16: 8),
        .selected: Style(fg: 16, bg: 117, fg16: 0, bg16: 6),
        .border: Style(fg: 240, fg16: 8),
        .keyHint: Style(fg: 250, bg: 236, fg16: 7, bg16: 0),
        .key: Style(fg: 222, bg: 236, fg16: 11, bg16: 0, bold: true),
        .warning: Style(fg: 16, bg: 214, fg16: 0, bg16: 3, bold: true),
        .prompt: Style(fg: 231, bg: 238, fg16: 15, bg16: 8),
        .overlay: Style(fg: 252, bg: 235, fg16: 7, bg16: 0),
        .alive: Style(fg: 114, fg16: 10),
        .suspect: Style(fg: 221, fg16: 11, bold: true),
        .failed: Style(fg: 203, fg16: 9, bold: true),
        .left: Style(fg: 244, fg16: 8),
        .up: Style(fg: 114, fg16: 10),
        .down: Style(fg: 203, fg16: 9, bold: true),
        .drain: Style(fg: 215, fg16: 3),
        .maint: Style(fg: 141, fg16: 13),
        .sparkline: Style(fg: 75, fg16: 12),
        .mark: Style(fg: 214, fg16: 3, underline: true),
        .eventAction: Style(fg: 117, fg16: 14),
    ])

    /// No colour at all (NO_COLOR, or a terminal without colours): bold,
    /// underline and reverse carry what colour would.
    public static let monochrome = Theme(name: "monochrome", styles: [
        .normal: Style(),
        .header: Style(reverse: true),
        .title: Style(bold: true),
        .selected: Style(reverse: true),
        .keyHint: Style(),
        .key: Style(bold: true),
        .warning: Style(bold: true, reverse: true),
        .suspect: Style(bold: true),
        .failed: Style(bold: true, underline: true),
        .down: Style(bold: true, underline: true),
        .drain: Style(underline: true),
        .maint: Style(underline: true),
        .mark: Style(underline: true),
    ])
}
