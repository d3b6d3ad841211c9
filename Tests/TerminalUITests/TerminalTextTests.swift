import Foundation
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

    /// JSON keeps its meaning: a parser reads back the very strings, and
    /// the document holds nothing a terminal would obey.
    @Test func jsonReadsTheSameAndObeysNothing() throws {
        let names = ["a\u{9B}2J", "web\u{202E}1", "x\u{2028}y", "tag\u{E0001}", "\u{7F}", "plain", "é東🚀"]
        let data = try JSONSerialization.data(withJSONObject: ["names": names], options: [.sortedKeys])
        let json = TerminalText.escapedJSON(String(decoding: data, as: UTF8.self))
        #expect(!json.unicodeScalars.contains(where: TerminalText.isObeyed), "\(json.debugDescription)")
        #expect(json.contains(#"a\u009B2J"#) && json.contains(#"tag\uDB40\uDC01"#), "\(json)")
        let back = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String]]
        #expect(back?["names"] == names)
    }

    /// On the dashboard such a character is a visible "?", also beside
    /// characters that take the grid's slower path (wide, combining):
    /// `東x` + a direction override must not read as another name.
    @Test func theGridDrawsThemAsAQuestionMark() {
        for text in ["東x\u{202E}gnp.exe", "z\u{2028}\u{200B}y", "é\u{301}\u{FE0F}\u{1B}[2J", "web1\u{200D}", "web\u{202E}1"] {
            var grid = CellGrid(width: 30, height: 1)
            let used = grid.put(text, x: 0, y: 0, role: .normal)
            let shown = (0 ..< grid.width).map { grid[$0, 0] }.filter { !$0.isContinuation }.map(\.character)
            #expect(!shown.contains { $0.unicodeScalars.contains(where: TerminalText.isObeyed) }, "\(text.debugDescription)")
            #expect(shown.contains("?"), "\(text.debugDescription)")
            #expect(used == text.columns, "\(text.debugDescription): \(used) columns drawn, \(text.columns) measured")
        }
    }

    /// A message of several lines keeps them, each after the first
    /// indented, so none reads as a line of its own.
    @Test func aMessageKeepsItsLinesIndented() {
        #expect(TerminalText.escapedLines("refused:\n[ALERT] line 3\n\u{1B}[2J") == "refused:\n  [ALERT] line 3\n  \\e[2J")
        #expect(TerminalText.escapedLines("one line") == "one line")
    }
}
