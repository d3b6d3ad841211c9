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
