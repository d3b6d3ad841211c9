import BalancerContract
@testable import Dashboard
import Foundation
import HAProxy
import Serf
import Testing

/// A balancer's announcement as the event pane shows it, whoever sent it.
@Suite struct AnnouncementLineTests {
    func logged(_ payload: [UInt8]) -> EventLog.Entry? {
        var model = ClusterModel()
        model.apply(.user(UserEvent(ltime: 1, name: BalancerAnnouncement.eventName, payload: payload, coalesce: false)),
                    at: Fixture.now)
        return model.log.entries.last
    }

    @Test func aReloadSaysWhichBalancerHowManyServersAndWhatChanged() throws {
        let a = BalancerAnnouncement(balancer: "ha", kind: .reloaded, servers: 4, reload: 12,
                                     added: ["web4"], removed: ["web2"])
        let entry = try #require(logged(a.encoded))
        #expect(entry.kind == .reload)
        #expect(entry.text == "balancer ha reloaded (#12): 4 servers, +web4 -web2")
    }

    @Test func aChangeAtRunTimeSaysNoReload() throws {
        let a = BalancerAnnouncement(balancer: "ha", kind: .updated, servers: 5, reload: 0, added: ["web5"])
        let entry = try #require(logged(a.encoded))
        #expect(entry.kind == .reload)
        #expect(entry.text == "balancer ha updated, no reload: 5 servers, +web5")
    }

    @Test func aRefusalSaysWhy() throws {
        let a = BalancerAnnouncement(balancer: "ha", kind: .refused, servers: 1, reload: 3, added: ["web9"],
                                     reason: "haproxy -c: unknown keyword 'bogus'")
        let entry = try #require(logged(a.encoded))
        #expect(entry.kind == .failure)
        #expect(entry.text == "balancer ha refused a config (1 server, +web9): haproxy -c: unknown keyword 'bogus'")
    }

    @Test func heldAndInstalledAreNamed() throws {
        let held = BalancerAnnouncement(balancer: "ha", kind: .held, servers: 0, reload: 2, removed: ["s1", "s2"],
                                        reason: "holding back a render that removes 2 of 2 server(s)")
        #expect(logged(held.encoded)?.text.hasPrefix("balancer ha held back a config (0 servers, -s1 -s2): holding back") == true)
        let installed = BalancerAnnouncement(balancer: "ha", kind: .installed, servers: 3, reload: 0, more: 5)
        #expect(logged(installed.encoded)?.text == "balancer ha installed a config, not reloaded: 3 servers, 5 more")
    }

    @Test func anUnreadablePayloadIsNamedNotObeyed() throws {
        let bad = try #require(logged(Array("v1\nbalancer evil\u{1B}[2J\nkind reloaded\n".utf8)))
        #expect(bad.kind == .user)
        #expect(bad.text.hasPrefix("unreadable announcement"))
        #expect(!bad.text.unicodeScalars.contains { $0.properties.generalCategory == .control })
        let claimed = try #require(logged(Array("v7\nbalancer ha2\n".utf8)))
        #expect(claimed.text.hasPrefix("unreadable announcement from ha2: version 'v7'"))
        let binary = try #require(logged([0, 1, 2, 0xff]))
        #expect(binary.text == "unreadable announcement: not UTF-8 text")
    }

    /// A name is data: what would move the cursor or clear the screen is escaped.
    @Test func namesAreEscapedForTheScreen() {
        #expect(AnnouncementLine.shown("ha\u{1B}[2J\u{7}") == "ha\\u{1B}[2J\\u{07}")
        #expect(AnnouncementLine.shown("zürich-ha") == "zürich-ha")
        #expect(AnnouncementLine.shown("a\u{202E}b") == "a\\u{202E}b")
    }

    @Test func otherUserEventsStayAsTheyWere() {
        var model = ClusterModel()
        model.apply(.user(UserEvent(ltime: 1, name: "deploy", payload: Array("v2".utf8), coalesce: true)), at: Fixture.now)
        #expect(model.log.entries.last?.text == "user event deploy v2")
    }
}
