import Testing
@testable import TerminalUI

/// Terminal bytes to keys: sequences whole or not at all.
@Suite struct KeyDecoderTests {
    func keys(_ text: String) -> [Key] {
        var d = KeyDecoder()
        return d.feed(Array(text.utf8)) + d.flush()
    }

    @Test func plainKeysAndControls() {
        #expect(keys("dy") == [.char("d"), .char("y")])
        #expect(keys("\r\n\t\u{7F}\u{03}") == [.enter, .enter, .tab, .backspace, .ctrlC])
        #expect(keys("é→") == [.char("é"), .char("→")])
        #expect(keys("\u{01}\u{1F}") == [], "other control bytes are no keys")
    }

    /// The report that used to open the maint prompt with its final `m`.
    @Test func sgrMouseReportsAreNeverKeys() {
        #expect(keys("\u{1B}[<0;5;5m") == [], "a release means nothing")
        #expect(keys("\u{1B}[<0;5;7M") == [.click(x: 4, y: 6)])
        #expect(keys("\u{1B}[<64;10;10M\u{1B}[<65;10;10M") == [.scrollUp, .scrollDown])
        #expect(keys("\u{1B}[<2;5;5M\u{1B}[<32;5;5M") == [], "right button and motion")
        #expect(keys("\u{1B}[<0;5;5m\r") == [.enter], "only the Enter after it is a key")
    }

    @Test func x10MouseReportsTakeTheirThreeRawBytes() {
        // Button 0 at (column 5, line 3): 32+0, 33+4, 33+2.
        #expect(keys("\u{1B}[M\u{20}\u{25}\u{23}") == [.click(x: 4, y: 2)])
        // Release (3): nothing, and its bytes (`#` = 35 is "m"-like garbage) are not keys.
        #expect(keys("\u{1B}[M#mm") == [])
        #expect(keys("\u{1B}[M`!!\u{1B}[Ma!!") == [.scrollUp, .scrollDown])
        // Coordinates past 95 are bytes above 127, not UTF-8.
        var d = KeyDecoder()
        #expect(d.feed([0x1B, 0x5B, 0x4D, 0x20, 0xC8, 0x21]) == [.click(x: 167, y: 0)])
    }

    @Test func csiAndSs3KeysDecodeWholeAndOthersAreDropped() {
        #expect(keys("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D") == [.up, .down, .right, .left])
        #expect(keys("\u{1B}OA\u{1B}OB\u{1B}OH\u{1B}OF\u{1B}OM") == [.up, .down, .home, .end, .enter])
        #expect(keys("\u{1B}[5~\u{1B}[6~\u{1B}[1~\u{1B}[4~") == [.pageUp, .pageDown, .home, .end])
        #expect(keys("\u{1B}[1;5A") == [.up], "a modified arrow is still the arrow")
        #expect(keys("\u{1B}[3~\u{1B}[15~\u{1B}[200~\u{1B}[?1;2c\u{1B}[Z\u{1B}OP") == [], "delete, F5, paste start, device attributes, back-tab, F1")
        #expect(keys("\u{1B}[12;40R") == [], "a cursor position report ends in R, not a key")
        #expect(keys("\u{1B}d") == [.escape, .char("d")], "Esc just before a key")
    }

    @Test func aLoneEscapeIsEscapeOnlyWhenNothingFollows() {
        var d = KeyDecoder()
        #expect(d.feed([0x1B]) == [])
        #expect(d.isWaiting)
        #expect(d.flush() == [.escape])
        #expect(keys("\u{1B}\u{1B}") == [.escape, .escape])
    }

    /// A sequence cut between two reads waits for its rest.
    @Test func sequencesSplitAcrossReads() {
        let report = Array("\u{1B}[<0;5;5m".utf8)
        for cut in 1 ..< report.count {
            var d = KeyDecoder()
            let first = d.feed(report[..<cut])
            #expect(first == [], "cut at \(cut)")
            #expect(d.isWaiting)
            #expect(d.feed(report[cut...]) == [], "cut at \(cut)")
            #expect(!d.isWaiting)
        }
        let x10: [UInt8] = [0x1B, 0x5B, 0x4D, 0x20, 0x25, 0x23]
        for cut in 1 ..< x10.count {
            var d = KeyDecoder()
            #expect(d.feed(x10[..<cut]) + d.feed(x10[cut...]) == [.click(x: 4, y: 2)], "cut at \(cut)")
        }
        var d = KeyDecoder()
        #expect(d.feed([0xC3]) == [])
        #expect(d.feed([0xA9, 0x64]) == [.char("é"), .char("d")])
    }

    /// The terminal went quiet in the middle: the piece is dropped, not typed.
    @Test func aCutSequenceIsDroppedWhole() {
        var d = KeyDecoder()
        #expect(d.feed(Array("\u{1B}[<0;5".utf8)) == [])
        #expect(d.flush() == [])
        #expect(d.feed(Array(";5md".utf8)) == [.char(";"), .char("5"), .char("m"), .char("d")],
                "what comes after the drop is typing again")
        var e = KeyDecoder()
        #expect(e.feed(Array(("\u{1B}[" + String(repeating: "1;", count: 40)).utf8)) == [])
        #expect(e.feed(Array("1;1;5mq".utf8)) == [.char("q")], "an endless sequence is dropped up to its end")
        #expect(keys("\u{1B}[12\u{1B}[A") == [.up], "a sequence broken off by another")
    }
}
