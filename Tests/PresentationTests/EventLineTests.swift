import Foundation
import Presentation
import Serf
import Testing

/// The monitor's lines: times as the formatters would write them, without
/// a formatter per line.
@Suite struct EventLineTests {
    let member = Member(name: "web1", address: "10.0.0.1", port: 7946, tags: ["role": "backend"])

    @Test func jsonCarriesTheTimeInISO8601() throws {
        let date = Date(timeIntervalSince1970: 1_796_000_000.25)
        let line = try #require(EventLine.json(.member(.failed, [member]), at: date).first)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["time"] as? String == ISO8601DateFormatter().string(from: date))
        #expect(object?["event"] as? String == "member-failed")
    }

    @Test func textStartsWithLocalTimeToTheMillisecond() throws {
        let date = Date(timeIntervalSince1970: 1_796_000_000.125)
        let line = try #require(EventLine.text(.member(.join, [member]), at: date).first)
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss.SSS"
        #expect(line.hasPrefix(f.string(from: date) + " "), "\(line)")
    }
}
