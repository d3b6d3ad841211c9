import Foundation
import HAProxy
import Presentation
import Serf
import TerminalUI
import Testing

/// What members and stats pages send is printed, not obeyed: every listing
/// keeps one line per member, event or server, and holds no character a
/// terminal would act on, whatever the names, tags and payloads hold.
@Suite struct HostileTextTests {
    static let names = ["evil\u{1B}]0;pwned\u{07}", "x\nFAKE 12:00:00.000 member-failed web-1", "web\u{202E}1", "a\u{9B}2J", "back\\slash"]

    func clean(_ text: String) -> Bool { !text.unicodeScalars.contains { TerminalText.isObeyed($0) && $0 != "\n" } }

    @Test func memberListingKeepsOneLinePerMember() {
        let members = Self.names.enumerated().map { i, name in
            Member(name: name, address: "10.0.0.\(i + 1)", port: 7946, tags: ["role": "backend", "note\u{1B}[2J": "v\nw\u{1B}[31m"])
        }
        let text = MemberListing.text(members)
        #expect(text.split(separator: "\n").count == members.count, "\(text.debugDescription)")
        #expect(clean(text), "\(text.debugDescription)")
        #expect(text.contains("evil\\e]0;pwned\\u{7}"), "\(text.debugDescription)")
        #expect(text.contains("note\\e[2J=v\\nw\\e[31m"), "\(text.debugDescription)")
        // JSON is data for a parser: the names come back exactly.
        #expect(MemberListing.json(members).contains("\\u001b]0;pwned\\u0007"))
    }

    @Test func eachEventIsOneLine() {
        let members = Self.names.map { Member(name: $0, address: "10.0.0.1", port: 7946, tags: ["k": "\u{1B}[2J"]) }
        var events: [SerfEvent] = [.member(.join, members)]
        events.append(.user(UserEvent(ltime: 3, name: "deploy\u{1B}[31m", payload: Array("line1\nline2\u{202E}".utf8), coalesce: false)))
        events.append(.query(QueryEvent(id: 1, ltime: 4, name: "q\n", payload: Array("\u{202E}".utf8), from: "evil\u{1B}[2J")))
        for event in events {
            let lines = EventLine.text(event)
            for line in lines {
                #expect(!line.contains("\n") && clean(line), "\(line.debugDescription)")
            }
        }
        #expect(EventLine.text(.member(.join, members)).count == members.count)
        let user = EventLine.text(events[1])[0]
        #expect(user.contains("user deploy\\e[31m line1\\nline2\\u{202E} ltime=3"), "\(user.debugDescription)")
        // A payload with other controls is not text: it is shown in hex.
        let binary = EventLine.text(.user(UserEvent(ltime: 5, name: "b", payload: [0x1B, 0x5D, 0x07], coalesce: false)))[0]
        #expect(binary.contains("user b 0x1b5d07 ltime=5"), "\(binary.debugDescription)")
    }

    @Test func statsNamesFromThePageArePrintedNotObeyed() throws {
        // The page's CSV has no quoting, so a field holds no newline; escapes it can.
        let csv = "# pxname,svname,status,weight\nnodes\u{1B}[2J,s1\u{07},UP,1\nnodes,s\u{202E}2,DOWN\u{9B}2J,1\n"
        let snapshot = try StatsCSVParser.parse(csv)
        let text = StatsListing.text([("page", snapshot)])
        #expect(clean(text), "\(text.debugDescription)")
        #expect(text.contains("nodes\\e[2J"), "\(text.debugDescription)")
    }

    /// JSON is for parsers: they read the names exactly as sent, and a
    /// terminal showing the document acts on none of them.
    @Test func jsonCarriesTheNamesExactlyAndObeysNothing() throws {
        let members = Self.names.enumerated().map { i, name in
            Member(name: name, address: "10.0.0.\(i + 1)", port: 7946, tags: ["note": "\u{9B}2J\u{2028}"])
        }
        let listing = MemberListing.json(members)
        let lines = EventLine.json(.member(.join, members))
        for json in [listing] + lines {
            #expect(!json.unicodeScalars.contains { TerminalText.isObeyed($0) && $0 != "\n" }, "\(json.debugDescription)")
        }
        let parsed = try JSONSerialization.jsonObject(with: Data(listing.utf8)) as? [String: Any]
        let list = try #require(parsed?["members"] as? [[String: Any]])
        #expect(Set(list.compactMap { $0["name"] as? String }) == Set(Self.names))
        #expect(list.allSatisfy { ($0["tags"] as? [String: String])?["note"] == "\u{9B}2J\u{2028}" })
        #expect(lines.count == members.count && !lines.contains { $0.contains("\n") })
    }

    /// Columns line up by what the terminal shows, and no name is cut to
    /// look like another: `web1` and `web1` + a combining accent are two
    /// different lines.
    @Test func columnsAlignByWhatTheTerminalShows() {
        let names = ["web1", "web1\u{301}", "東京1", "🚀x"]
        let members = names.map { Member(name: $0, address: "10.0.0.1", port: 7946, tags: [:]) }
        let lines = MemberListing.text(members).split(separator: "\n").map(String.init)
        #expect(lines.count == 4 && Set(lines).count == 4, "\(lines)")
        for name in names { #expect(lines.contains { $0.hasPrefix(name + " ") }, "\(name.debugDescription): \(lines)") }
        let addressColumn = lines.map { line -> Int in
            let before = line.components(separatedBy: "10.0.0.1")[0]
            return before.columns
        }
        #expect(Set(addressColumn).count == 1, "\(lines)")
    }
}
