import BalancerContract
import HAProxy
import Serf
import Testing

/// The announcement a balancer gossips after each apply. Any member can send
/// a user event of this name, so reading is tested against what an attacker
/// would send, not only against what a balancer writes.
@Suite struct BalancerAnnouncementTests {
    func read(_ text: String) throws(BalancerAnnouncementError) -> BalancerAnnouncement {
        try BalancerAnnouncement(payload: Array(text.utf8))
    }

    @Test func theEventNameAndVersionAreTheWire() {
        #expect(BalancerAnnouncement.eventName == "serftop-applied")
        #expect(BalancerAnnouncement.version == "v1")
    }

    @Test func aReloadRoundTrips() throws {
        let a = BalancerAnnouncement(balancer: "ha", kind: .reloaded, servers: 4, reload: 12,
                                     added: ["web4", "web5"], removed: ["web2"])
        #expect(String(decoding: a.encoded, as: UTF8.self)
            == "v1\nbalancer ha\nkind reloaded\nservers 4\nreload 12\nadded web4 web5\nremoved web2\n")
        #expect(try BalancerAnnouncement(payload: a.encoded) == a)
    }

    @Test func everyKindRoundTrips() throws {
        for kind in BalancerAnnouncement.Kind.allCases {
            let a = BalancerAnnouncement(balancer: "ha-1.eu", kind: kind, servers: 0, reload: 3,
                                         removed: ["s1"], reason: kind == .refused ? "[ALERT] parsing: unknown keyword" : nil)
            #expect(try BalancerAnnouncement(payload: a.encoded) == a)
        }
    }

    /// A thousand new servers do not make an event Serf would refuse: the
    /// names that do not fit are counted.
    @Test func manyNamesStayWithinTheSizeAndAreCounted() throws {
        let names = (1 ... 1000).map { try! HAProxyName("web-\($0).example.internal") }
        let a = BalancerAnnouncement(balancer: String(repeating: "b", count: 128), kind: .refused, servers: 1000, reload: 1,
                                     added: names, removed: Array(names.prefix(10)),
                                     reason: String(repeating: "why ", count: 100))
        let payload = a.encoded
        #expect(payload.count <= BalancerAnnouncement.maxPayload)
        #expect(payload.count + BalancerAnnouncement.eventName.utf8.count <= 512)
        let back = try BalancerAnnouncement(payload: payload)
        #expect(back.added.count + back.removed.count + back.more == 1010)
        #expect(back.added == Array(names.prefix(back.added.count)))
        #expect(back.reason?.utf8.count ?? 0 <= BalancerAnnouncement.maxReason)
    }

    /// Serf itself takes the largest announcement as one user event.
    @Test func theLargestAnnouncementIsAUserEventSerfSends() throws {
        let names = (1 ... 100).map { try! HAProxyName(String(repeating: "n", count: 120) + "\($0)") }
        let a = BalancerAnnouncement(balancer: String(repeating: "b", count: 200), kind: .held, servers: 100, reload: Int(Int32.max),
                                     added: names, removed: names, more: 999_999, reason: String(repeating: "ü", count: 300))
        var serf = SerfCore(config: SerfConfig(nodeName: "ha", tags: [:]), now: .zero, seed: 1)
        try serf.sendUserEvent(name: BalancerAnnouncement.eventName, payload: a.encoded, coalesce: false)
        #expect(try BalancerAnnouncement(payload: a.encoded).kind == .held)
    }

    /// Control characters in what the balancer says cannot split a line.
    @Test func controlCharactersInTheReasonDoNotForgeLines() throws {
        let a = BalancerAnnouncement(balancer: "ha\nkind held", kind: .refused, servers: 1, reload: 1,
                                     reason: "bad\nadded evil\u{1B}[2J")
        let back = try BalancerAnnouncement(payload: a.encoded)
        #expect(back.kind == .refused && back.added.isEmpty)
        #expect(back.balancer == "ha kind held")
        #expect(back.reason == "bad added evil [2J")
    }

    @Test func unknownKeysAreSkipped() throws {
        let a = try read("v1\nbalancer ha\nkind installed\nservers 2\nreload 0\nweather fine\n")
        #expect(a.kind == .installed && a.servers == 2)
    }

    @Test func hostilePayloadsAreRefusedWhole() {
        let good = "v1\nbalancer ha\nkind reloaded\nservers 1\nreload 1\n"
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("not text", [0xff, 0xfe, 0x00]),
            ("too long", Array(repeating: UInt8(ascii: "a"), count: BalancerAnnouncement.maxPayload + 1)),
            ("another version", Array("v2\nbalancer ha\n".utf8)),
            ("no version", Array("balancer ha\nkind reloaded\nservers 1\nreload 1\n".utf8)),
            ("no balancer", Array("v1\nkind reloaded\nservers 1\nreload 1\n".utf8)),
            ("unknown kind", Array(good.replacingOccurrences(of: "reloaded", with: "exploded").utf8)),
            ("negative count", Array(good.replacingOccurrences(of: "servers 1", with: "servers -1").utf8)),
            ("huge count", Array(good.replacingOccurrences(of: "servers 1", with: "servers 99999999999999999999").utf8)),
            ("not a count", Array(good.replacingOccurrences(of: "reload 1", with: "reload ١").utf8)),
            ("repeated key", Array((good + "kind held\n").utf8)),
            ("bad name", Array((good + "added web1 zz;disable\n").utf8)),
            ("empty name", Array((good + "added web1  web2\n").utf8)),
            ("escape in a value", Array((good + "reason \u{1B}[2J\n").utf8)),
            ("line without a value", Array((good + "oops\n").utf8)),
            ("carriage return", Array(good.replacingOccurrences(of: "\n", with: "\r\n").utf8)),
        ]
        for (what, payload) in cases {
            #expect(throws: BalancerAnnouncementError.self, "\(what)") { try BalancerAnnouncement(payload: payload) }
        }
    }

    @Test func theClaimedSenderOfABadPayloadIsFound() {
        #expect(BalancerAnnouncement.claimedBalancer(in: Array("v9\nbalancer ha\n".utf8)) == "ha")
        #expect(BalancerAnnouncement.claimedBalancer(in: [0xff]) == nil)
        #expect(BalancerAnnouncement.claimedBalancer(in: Array("v1\n".utf8)) == nil)
    }
}
