@testable import Dashboard
import Testing

/// The name `a` proposes goes into the --provision command: members choose
/// their own names, so theirs only suggest one when it is safe there.
@Suite struct NodeNamingTests {
    @Test func theBackendsSeriesGoesOn() {
        #expect(NodeNaming.next(after: ["s1", "s2"]) == "s3")
        #expect(NodeNaming.next(after: ["web1", "web7", "web8"]) == "web9")
        #expect(NodeNaming.next(after: []) == "web1")
    }

    @Test func aNameThatWouldBeAnOptionStartsNoSeries() {
        #expect(NodeNaming.next(after: ["-rf99999", "web1"]) == "web2")
        #expect(NodeNaming.next(after: ["--config=x1"]) == "web2")
        #expect(NodeNaming.next(after: ["zz;rm -rf 9", ".hidden9", "_x9"]) == "web4")
    }
}
