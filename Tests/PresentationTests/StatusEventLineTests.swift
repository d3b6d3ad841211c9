import Foundation
import Presentation
import Serf
import Testing

/// The monitor's lines for the native member's status records.
@Suite struct StatusEventLineTests {
    let date = Date(timeIntervalSince1970: 1_796_000_000)

    @Test func aSuspicionNamesItsReporter() throws {
        let change = MemberStatusChange(name: "web1", status: .suspect, incarnation: 4, reportedBy: "web2")
        let text = try #require(EventLine.text(.status(change), at: date).first)
        #expect(text.hasSuffix(" status web1 suspect incarnation=4 from=web2"), "\(text)")
        let json = try #require(EventLine.json(.status(change), at: date).first)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(object?["event"] as? String == "status" && object?["from"] as? String == "web2")
        #expect(object?["incarnation"] as? Int == 4 && object?["refuted"] as? Bool == false)
    }

    @Test func aRefutationSaysSo() throws {
        let change = MemberStatusChange(name: "web1", status: .alive, incarnation: 5, refuted: true)
        let text = try #require(EventLine.text(.status(change), at: date).first)
        #expect(text.hasSuffix(" status web1 alive incarnation=5 refuted"), "\(text)")
    }
}
