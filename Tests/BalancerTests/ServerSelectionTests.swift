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
        let names = ServerSelection().servers(from: members).map(\.name)
        #expect(names == ["s1", "s2", "sus"])
    }

    @Test func thePortComesFromTheTagOrTheDefault() {
        let s = ServerSelection(defaultPort: 3000)
        let servers = s.servers(from: [member("a", port: "8080"), member("b"), member("c", port: "nope"), member("d", port: "0")])
        #expect(servers.map(\.port) == [8080, 3000, 3000, 3000])
        #expect(servers[0].endpoint == "10.0.0.1:8080")
    }

    @Test func ipv6AddressesAreBracketed() {
        let server = ServerSelection().servers(from: [member("a", address: "fd00::1")])[0]
        #expect(server.endpoint == "[fd00::1]:3000")
    }

    @Test func unsafeNamesAreMadeSafeForHAProxy() {
        #expect(BackendServer.safeName("web 1/x") == "web_1_x")
        #expect(BackendServer.safeName("ok-name_1.2:3") == "ok-name_1.2:3")
        #expect(BackendServer.safeName("") == "_")
    }

    @Test func leavingAndLeftBackendsAreTheOnesToDrain() {
        let members = [member("a", .leaving), member("b", .left), member("c", .failed), member("d"),
                       member("e", .leaving, role: "balancer")]
        #expect(ServerSelection().leaving(from: members) == ["a", "b"])
    }

    @Test func serverQueriesParseOrSayWhatIsWrong() throws {
        #expect(try ServerQuery(parsing: " drain  web1 ") == ServerQuery(action: .drain, server: "web1"))
        #expect(try ServerQuery(parsing: "MAINT s2") == ServerQuery(action: .maint, server: "s2"))
        #expect(throws: BalancerError.self) { try ServerQuery(parsing: "drain") }
        #expect(throws: BalancerError.self) { try ServerQuery(parsing: "explode s1") }
        do {
            _ = try ServerQuery(parsing: "weight s1")
            Issue.record("weight is not a query action")
        } catch {
            #expect("\(error)".contains("drain, ready or maint"))
        }
    }
}
