/// Text from outside (member names, tags, event and query names, payloads,
/// replies, a stats page) made safe to print on a terminal or into a log
/// read one record a line. A terminal obeys control characters: an escape
/// could retitle or clear it or restyle what follows, a newline could print
/// a line that looks like another member or another log record, and an
/// invisible formatting character (a direction override, a zero-width
/// space) could make one name look like another. Each such character is
/// written as a visible escape instead, and a backslash as two, so the
/// printed text still says exactly what was received.
public enum TerminalText {
    /// Whether a terminal would act on `scalar` rather than show it: the C0
    /// and C1 controls and DEL (Unicode's Cc), formatting characters (Cf),
    /// and the line and paragraph separators.
    public static func isObeyed(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || (0x7F ... 0x9F).contains(v) { return true }
        if v < 0xA0 { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// `text` with every obeyed character escaped: `\n`, `\r`, `\t`, `\e`
    /// for the usual ones, `\u{…}` (hexadecimal) for the rest, `\\` for a
    /// backslash. Text without any comes back unchanged.
    public static func escaped(_ text: some StringProtocol) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\\" || isObeyed($0) }) else { return String(text) }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{1B}": out += "\\e"
            case _ where isObeyed(scalar): out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
