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
    /// Whether a terminal would act on `scalar` rather than show it, or
    /// show nothing for it: the C0 and C1 controls and DEL (Unicode's Cc),
    /// formatting characters (Cf: direction overrides, zero-width spaces
    /// and joiners), the line and paragraph separators, and the other
    /// characters Unicode says to draw as nothing (variation selectors,
    /// Hangul fillers).
    public static func isObeyed(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || (0x7F ... 0x9F).contains(v) { return true }
        // The symbol blocks every frame draws (arrows to box drawing and
        // block elements) hold none: no property lookup for them.
        if v < 0xA0 || (0x2100 ... 0x2BFF).contains(v) { return false }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return properties.isDefaultIgnorableCodePoint
        }
    }

    /// `text` with every obeyed character escaped: `\n`, `\r`, `\t`, `\e`
    /// for the usual ones, `\u{…}` (hexadecimal) for the rest, `\\` for a
    /// backslash. Text without any comes back unchanged.
    public static func escaped(_ text: some StringProtocol) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\\" || isObeyed($0) }) else { return String(text) }
        return text.replacingScalars { scalar in
            switch scalar {
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case "\u{1B}": "\\e"
            case _ where isObeyed(scalar): "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: nil
            }
        }
    }

    /// For a message that may run over several lines of its own (an error
    /// quoting HAProxy's validation output): escaped as `escaped` does,
    /// except that its line breaks stay, and every line after the first is
    /// indented, so no line of it can pass for a line of something else.
    public static func escapedLines(_ text: some StringProtocol) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { escaped($0) }.joined(separator: "\n  ")
    }

    /// Serialised JSON with every obeyed character the serialiser left
    /// raw (it escapes only U+0000 to U+001F) written as `\uXXXX`, a pair
    /// of them beyond the first plane. Such characters can only stand in
    /// strings, where JSON allows any character so written: a parser reads
    /// the same document, and a terminal showing it acts on nothing.
    public static func escapedJSON(_ json: String) -> String {
        // Newlines, returns and tabs out of strings are the layout of pretty
        // JSON; in strings the serialiser has escaped them already.
        func needsEscape(_ s: Unicode.Scalar) -> Bool { isObeyed(s) && s != "\n" && s != "\r" && s != "\t" }
        guard json.unicodeScalars.contains(where: needsEscape) else { return json }
        func unit(_ v: UInt32) -> String {
            let hex = String(v, radix: 16, uppercase: true)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        return json.replacingScalars { scalar in
            guard needsEscape(scalar) else { return nil }
            let v = scalar.value
            return v < 0x10000 ? unit(v) : unit(0xD800 + ((v - 0x10000) >> 10)) + unit(0xDC00 + ((v - 0x10000) & 0x3FF))
        }
    }
}
