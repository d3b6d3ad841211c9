import Balancer
import Serf
import Testing

@Suite struct ServerSelectionTests {
    func member(_ name: String, _ status: MemberStatus = .alive, role: String? = "backend", port: String? = nil,
                address: String = "10.0.0.1") -> Member {
        var tags: [String: String] = [:]
        if let role { tags["role"] = role }
        if let port { tags["port"] = port }
        return Member(name: name, address: address, port: 7946, tags: tags, status: status)
    }

    @Test func onlyAliveBackendsBecomeServersSortedByName() {
        let members = [member("s2"), member("ha", role: "balancer"), member("s1"), member("gone", .failed),
                       member("bye", .left), member("going", .leaving), member("obs", role: nil), member("sus", .suspect)]
        let names = ServerSelection().servers(from: members).servers.map(\.name)
        #expect(names == ["s1", "s2", "sus"])
    }

    @Test func thePortComesFromTheTagOrTheDefault() {
        let s = ServerSelection(defaultPort: 3000)
        let servers = s.servers(from: [member("a", port: "8080"), member("b"), member("c", port: "nope"), member("d", port: "0")]).servers
        #expect(servers.map(\.port) == [8080, 3000, 3000, 3000])
        #expect(servers[0].endpoint == "10.0.0.1:8080")
    }

    @Test func ipv6AddressesAreBracketed() {
        let server = ServerSelection().servers(from: [member("a", address: "fd00::1")]).servers[0]
        #expect(server.endpoint == "[fd00::1]:3000")
    }

    /// A name HAProxy would refuse is left out with the reason, never
    /// rewritten into another name (which could be another member's).
    @Test func backendsWithNamesHAProxyRefusesAreLeftOutWithTheReason() {
        let bad = ["zz;disable frontend localnodes", "web\n1", "web 1", "web/1", "we\"b", "we'b", "", String(repeating: "a", count: 500)]
        let members = bad.map { member($0) } + [member("ok-name_1.2:3"), member("web_1")]
        let (servers, refused) = ServerSelection().servers(from: members)
        #expect(servers.map(\.name.text) == ["ok-name_1.2:3", "web_1"])
        #expect(refused.count == bad.count)
        #expect(refused.contains { $0.contains("'zz;disable frontend localnodes'") && $0.contains("';'") })
        #expect(refused.contains { $0.contains("500 bytes long") })
        #expect(refused.contains { $0.contains("'web\\n1'") && $0.contains("a newline") }, "\(refused)")
        #expect(refused.allSatisfy { !$0.contains("\n") }, "one line each")
        #expect(ServerSelection().leaving(from: [member("a;b", .leaving), member("c", .left)]) == ["c"])
    }

    /// Member tags reach the template; only plain words do.
    @Test func onlyPlainTagsReachTheTemplate() throws {
        var m = member("s1", port: "8080")
        m.tags["zone"] = "eu-1"
        m.tags["evil"] = "x\n    server rogue 10.9.9.9:80"
        let server = try ServerSelection().server(for: m).get()
        #expect(server.tags["zone"] == "eu-1")
        #expect(server.tags["evil"] == nil)
    }

    @Test func leavingAndLeftBackendsAreTheOnesToDrain() {
        let members = [member("a", .leaving), member("b", .left), member("c", .failed), member("d"),
                       member("e", .leaving, role: "balancer")]
        #expect(ServerSelection().leaving(from: members) == ["a", "b"])
    }
}
