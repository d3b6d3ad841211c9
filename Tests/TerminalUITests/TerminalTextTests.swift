import Testing
import TerminalUI

/// What outside text becomes on a terminal: every character a terminal
/// would act on is spelled out, and nothing else changes.
@Suite struct TerminalTextTests {
    @Test func ordinaryTextIsUnchanged() {
        for text in ["web-1", "db.example.com", "Zürich", "e\u{301}", "東京-1", "🚀 node", "a=b,c", ""] {
            #expect(TerminalText.escaped(text) == text)
        }
    }

    @Test func controlsAreSpelledOut() {
        #expect(TerminalText.escaped("a\nb") == "a\\nb")
        #expect(TerminalText.escaped("a\r\tb") == "a\\r\\tb")
        #expect(TerminalText.escaped("\u{1B}]0;pwned\u{07}") == "\\e]0;pwned\\u{7}")
        #expect(TerminalText.escaped("x\u{7F}") == "x\\u{7F}")
        // C1: CSI on a terminal that reads 8-bit controls.
        #expect(TerminalText.escaped("x\u{9B}2J") == "x\\u{9B}2J")
        #expect(TerminalText.escaped("\u{0}") == "\\u{0}")
    }

    /// Invisible characters that make one name look like another.
    @Test func formattingAndSeparatorsAreSpelledOut() {
        #expect(TerminalText.escaped("web\u{202E}1-bew") == "web\\u{202E}1-bew")
        #expect(TerminalText.escaped("web\u{200B}1") == "web\\u{200B}1")
        #expect(TerminalText.escaped("\u{FEFF}web") == "\\u{FEFF}web")
        #expect(TerminalText.escaped("a\u{2028}b\u{2029}c") == "a\\u{2028}b\\u{2029}c")
        #expect(TerminalText.escaped("\u{2066}x\u{2069}") == "\\u{2066}x\\u{2069}")
    }

    /// A backslash doubles, so an escape in the output always means a
    /// character that was escaped: `a\nb` and `a` newline `b` differ.
    @Test func aBackslashIsDoubled() {
        #expect(TerminalText.escaped("a\\nb") == "a\\\\nb")
        #expect(TerminalText.escaped("a\\nb") != TerminalText.escaped("a\nb"))
    }

    /// Every scalar of the first planes, alone and between letters: the
    /// result holds nothing a terminal would obey and no line break.
    @Test func nothingObeyedSurvives() {
        var scalars: [Unicode.Scalar] = []
        for v in UInt32(0) ..< 0x3100 { if let s = Unicode.Scalar(v) { scalars.append(s) } }
        scalars += ["\u{FEFF}", "\u{FFF9}", "\u{E0001}", "\u{1D173}"]
        for s in scalars {
            var text = "a"
            text.unicodeScalars.append(s)
            text += "b"
            let out = TerminalText.escaped(text)
            #expect(!out.unicodeScalars.contains(where: TerminalText.isObeyed), "U+\(String(s.value, radix: 16))")
            #expect(out.split(whereSeparator: \.isNewline).count == 1, "U+\(String(s.value, radix: 16))")
        }
    }
}
