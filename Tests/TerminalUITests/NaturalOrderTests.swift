import Testing
import TerminalUI

@Suite struct NaturalOrderTests {
    @Test func numbersInNamesSortByValue() {
        let names = ["web10", "Web2", "web1", "ha", "web02x", "web2", "s10.0.0.9", "s10.0.0.10", ""]
        #expect(names.sorted(by: NaturalOrder.less) == ["", "ha", "s10.0.0.9", "s10.0.0.10", "web1", "Web2", "web2", "web02x", "web10"])
    }

    @Test func itIsAStrictOrder() {
        #expect(!NaturalOrder.less("web1", "web1"))
        #expect(NaturalOrder.less("web1", "web01") != NaturalOrder.less("web01", "web1"))
        #expect(NaturalOrder.less("a", "ab") && !NaturalOrder.less("ab", "a"))
    }
}

@Suite struct NaturalOrderKeyTests {
    /// The keys order strings exactly as the comparison does, ties included.
    @Test func keysAgreeWithTheComparison() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("aZb0019./:-_ ~é")
        let strings = ["web1", "web01", "web10", "Web2", "10.0.0.9", "10.0.0.10", "a", "ab", "a0", "a/", "a:", ""]
            + (0 ..< 400).map { _ in String((0 ..< Int.random(in: 0 ... 7, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }) }
        for a in strings {
            for b in strings.prefix(80) {
                let ka = NaturalOrder.key(a), kb = NaturalOrder.key(b)
                let byKey = ka == kb ? a < b : ka.lexicographicallyPrecedes(kb)
                #expect(byKey == NaturalOrder.less(a, b), "\(a.debugDescription) vs \(b.debugDescription)")
            }
        }
    }
}
