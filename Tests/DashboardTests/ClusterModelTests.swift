import BalancerContract
import Dashboard
import Foundation
import HAProxy
import Serf
import Testing

@Suite struct ClusterModelTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func snapshot(_ servers: [String]) throws -> StatsSnapshot {
        try StatsCSVParser.parse("# pxname,svname,status,type,scur,req_rate,\n" + servers.map { "nodes,\($0),UP,2,1,5," }.joined(separator: "\n") + "\n")
    }

    @Test func membersAndServersJoinByName() throws {
        var model = ClusterModel()
        model.setMembers([Member(name: "s1", address: "10.0.0.1", port: 7946, tags: ["role": "backend"]),
                          Member(name: "s2", address: "10.0.0.2", port: 7946, tags: ["role": "backend"]),
                          Member(name: "ha", address: "10.0.0.9", port: 7946, tags: ["role": "balancer"])], at: now)
        model.discoverBalancers()
        #expect(model.balancers.map(\.endpoint.csvURL) == ["http://10.0.0.9:1936/;csv"])
        model.recordScrape(.success(try snapshot(["s1", "old"])), for: model.balancers[0].endpoint, at: now)
        let rows = Dictionary(uniqueKeysWithValues: model.rows().map { ($0.name, $0) })
        #expect(rows["s1"]?.lbStatus?.state == .up && rows["s1"]?.mark == nil)
        #expect(rows["s2"]?.mark == .notInLB)
        #expect(rows["old"]?.mark == .notInGossip && rows["old"]?.gossip == nil)
        #expect(rows["ha"]?.mark == nil, "a balancer is not meant to be a server")
    }

    /// The balancer writes a member as the server of the same name, and
    /// leaves out a member HAProxy would refuse; the join does the same, so
    /// no node is shown twice.
    @Test func aNodeShowsOnceAndABadNameIsMarked() throws {
        var model = ClusterModel()
        let bad = "zz;disable frontend localnodes"
        model.setMembers([Member(name: "web-1.eu:a", address: "10.0.0.1", port: 7946, tags: ["role": "backend"]),
                          Member(name: bad, address: "10.0.0.2", port: 7946, tags: ["role": "backend"]),
                          Member(name: "ha", address: "10.0.0.9", port: 7946, tags: ["role": "balancer"])], at: now)
        model.discoverBalancers()
        model.recordScrape(.success(try snapshot(["web-1.eu:a"])), for: model.balancers[0].endpoint, at: now)
        let rows = model.rows()
        #expect(rows.filter { $0.name == "web-1.eu:a" }.count == 1)
        #expect(rows.first { $0.name == "web-1.eu:a" }?.servers.count == 1)
        #expect(rows.count == 3, "\(rows.map(\.name))")
        let badRow = try #require(rows.first { $0.name == bad })
        #expect(badRow.mark == .badName && badRow.servers.isEmpty)
    }

    /// No route for a name HAProxy would refuse, whichever way actions go.
    @Test func badNamesGetNoRouteButTheReason() throws {
        var model = ClusterModel()
        let names = ["zz;disable frontend localnodes", "a\nb", "a b", "a/b", "a\"b", "a'b", String(repeating: "x", count: 500)]
        model.setMembers(names.map { Member(name: $0, address: "10.0.0.1", port: 7946, tags: ["role": "backend"]) }
            + [Member(name: "ha", address: "10.0.0.9", port: 7946, tags: ["role": "balancer"])], at: now)
        model.discoverBalancers()
        let admin = HAProxyAddress("unix:/run/haproxy/admin.sock")!
        for name in names {
            for routing in [ActionRouting(runtimeAPI: admin), ActionRouting(), ActionRouting(serfQueries: false)] {
                for action in [ClusterAction.server(.drain, node: name), .server(.maint, node: name), .drainThenMaint(node: name)] {
                    let routes = routing.routes(for: action, in: model)
                    guard routes.count == 1, case .impossible(let why) = routes[0] else {
                        Issue.record("\(name.debugDescription): \(routes)"); continue
                    }
                    #expect(why.contains("cannot be a HAProxy server name"), "\(why)")
                    #expect(!why.contains("\n"))
                }
            }
        }
        // A backend name from a stats page is checked too.
        model.recordScrape(.success(try StatsCSVParser.parse("# pxname,svname,status,type,\nbad;px,s1,UP,2,\n")),
                           for: model.balancers[0].endpoint, at: now)
        let routes = ActionRouting(runtimeAPI: admin).routes(for: .server(.drain, node: "s1"), in: model)
        guard case .impossible(let why)? = routes.first else { Issue.record("\(routes)"); return }
        #expect(why.contains("HAProxy backend name"))
        #expect(ActionRouting(provisionCommand: "start {name}").routes(for: .provision(name: "x;reboot"), in: model).first?.description.contains("';'") == true)
    }

    /// Credentials go to pages the operator gave, and to discovered
    /// balancers only when named.
    @Test func discoveredBalancersGetCredentialsOnlyWhenNamed() throws {
        var model = ClusterModel()
        model.setMembers([Member(name: "ha", address: "10.0.0.9", port: 7946, tags: ["role": "balancer"]),
                          Member(name: "rogue", address: "10.0.0.66", port: 7946, tags: ["role": "balancer", "stats": "http://evil.example:8080/"]),
                          Member(name: "ha2", address: "10.0.0.10", port: 7946, tags: ["role": "balancer", "stats": "http://10.0.0.10:9000/st"])], at: now)
        let trusted = ["10.0.0.9", "10.0.0.10:9000"].compactMap(StatsCredentials.Authority.init)
        let credentials = StatsCredentials(username: "admin", password: "secret", trusted: trusted)
        model.balancers = [BalancerState(endpoint: try credentials.configured("10.0.0.50"))]
        model.discoverBalancers(credentials: credentials, at: now)
        let byLabel = Dictionary(uniqueKeysWithValues: model.balancers.map { ($0.label, $0) })
        #expect(byLabel["rogue"]?.sendsCredentials == false)
        #expect(byLabel["rogue"]?.origin == .discovered)
        #expect(byLabel["ha"]?.sendsCredentials == true)
        #expect(byLabel["ha2"]?.sendsCredentials == true)
        #expect(byLabel["10.0.0.50:1936"]?.origin == .configured && byLabel["10.0.0.50:1936"]?.sendsCredentials == true)
        #expect(model.log.entries.contains { $0.text.contains("rogue") && $0.text.contains("not sent") })
        // The port matters when given.
        #expect(StatsCredentials.Authority("10.0.0.10:9001")!.matches(try StatsEndpoint("http://10.0.0.10:9000/")) == false)
        #expect(StatsCredentials.Authority("[fd00::1]:1936")!.matches(try StatsEndpoint("http://[fd00::1]:1936/")))
        #expect(StatsCredentials.Authority("host:nope") == nil)
    }

    @Test func eventsUpdateMembersAndTheLog() {
        var model = ClusterModel()
        let m = Member(name: "s1", address: "10.0.0.1", port: 7946, tags: ["role": "backend"])
        model.apply(.member(.join, [m]), at: now)
        var failed = m
        failed.status = .failed
        model.apply(.member(.failed, [failed]), at: now.addingTimeInterval(5))
        #expect(model.members["s1"]?.status == .failed)
        #expect(model.memberChangedAt["s1"] == now.addingTimeInterval(5))
        #expect(model.log.entries.map(\.kind) == [.join, .failed])
        model.apply(.member(.reap, [failed]), at: now.addingTimeInterval(9))
        #expect(model.members["s1"] == nil)
    }

    /// Rows come in natural name order however members came and went (the
    /// table's default order, which then costs one pass to sort), and always
    /// hold what the member list holds.
    @Test func rowsFollowTheMembersInNaturalOrder() {
        var model = ClusterModel()
        func member(_ name: String, _ status: MemberStatus = .alive) -> Member {
            Member(name: name, address: "10.0.0.1", port: 7946, tags: ["role": "backend"], status: status)
        }
        func check(_ expected: [String], _ comment: Comment) {
            #expect(model.rows().map(\.name) == expected, comment)
            #expect(model.rows().map(\.gossip) == expected.map { model.members[$0]?.status }, comment)
            #expect(model.rows().map(\.changedAt) == expected.map { model.memberChangedAt[$0] }, comment)
            #expect(model.rows().map(\.flaps) == expected.map { model.memberHistory[$0]?.flaps ?? 0 }, comment)
        }
        model.setMembers(["web10", "web2", "Web1", "db", "web02"].map { member($0) }, at: now)
        check(["db", "Web1", "web02", "web2", "web10"], "a full list")
        model.apply(.member(.join, [member("web9"), member("a")]), at: now)
        check(["a", "db", "Web1", "web02", "web2", "web9", "web10"], "joins")
        model.apply(.member(.failed, [member("web2", .failed)]), at: now.addingTimeInterval(1))
        model.apply(.status(MemberStatusChange(name: "web9", status: .suspect, incarnation: 2)), at: now.addingTimeInterval(2))
        model.apply(.status(MemberStatusChange(name: "web9", status: .alive, incarnation: 3)), at: now.addingTimeInterval(3))
        #expect(model.rows().first { $0.name == "web9" }?.flaps == 1)
        check(["a", "db", "Web1", "web02", "web2", "web9", "web10"], "changes of status")
        model.apply(.member(.reap, [member("web02"), member("nobody")]), at: now)
        check(["a", "db", "Web1", "web2", "web9", "web10"], "a reap, and one of a member never known")
        model.setMembers(["web3", "web1"].map { member($0) }, at: now)
        check(["web1", "web3"], "a full list again")
    }

    @Test func scrapeFailuresAreLoggedOnceAndRecoveryToo() throws {
        var model = ClusterModel()
        let e = try StatsEndpoint("10.0.0.9")
        model.balancers = [BalancerState(endpoint: e)]
        for _ in 0 ..< 3 { model.recordScrape(.failure(.unreachable(what: "the stats page", address: "10.0.0.9:1936", reason: "connection refused")), for: e, at: now) }
        model.recordScrape(.success(try snapshot(["s1"])), for: e, at: now)
        #expect(model.log.entries.map(\.kind) == [.scrape, .scrape])
        #expect(model.log.entries[0].text.contains("connection refused"))
        #expect(model.balancers[0].isReachable)
    }

    @Test func historyKeepsTheLastMinute() throws {
        var model = ClusterModel()
        let e = try StatsEndpoint("10.0.0.9")
        model.balancers = [BalancerState(endpoint: e)]
        model.recordScrape(.success(try snapshot(["s1"])), for: e, at: now)
        for _ in 0 ..< 100 { model.sampleHistory() }
        #expect(model.rows().first?.history.count == 60)
        #expect(model.rows().first?.history.last == 5)
    }

    @Test func routesFollowTheFlags() throws {
        var model = ClusterModel()
        model.setMembers([Member(name: "s1", address: "10.0.0.1", port: 7946, tags: ["role": "backend"]),
                          Member(name: "ha", address: "10.0.0.9", port: 7946, tags: ["role": "balancer"])], at: now)
        model.discoverBalancers()
        model.recordScrape(.success(try snapshot(["s1"])), for: model.balancers[0].endpoint, at: now)
        let admin = HAProxyAddress("unix:/run/haproxy/admin.sock")!
        #expect(ActionRouting(runtimeAPI: admin).routes(for: .server(.drain, node: "s1"), in: model)
            == [.runtimeAPI(admin, try ServerTarget(backend: "nodes", server: "s1"), .drain)])
        #expect(ActionRouting().routes(for: .server(.drain, node: "s1"), in: model)
            == [.serfQuery(.server(ServerQuery(.drain, server: "s1")))])
        if case .impossible(let why) = ActionRouting().routes(for: .server(.weight(5), node: "s1"), in: model).first {
            #expect(why.contains("--runtime-api"))
        } else { Issue.record("a weight cannot go as a query") }
        #expect(ActionRouting(serfQueries: false).routes(for: .server(.maint, node: "s1"), in: model)
            == [.statsPage(model.balancers[0].endpoint, try ServerTarget(backend: "nodes", server: "s1"), .maint)])
        #expect(ActionRouting().routes(for: .reload, in: model) == [.serfQuery(.reload)])
        let master = HAProxyAddress("unix:/run/haproxy/master.sock")!
        #expect(ActionRouting(masterCLI: master).routes(for: .reload, in: model) == [.masterCLI(master)])
        #expect(ActionRouting(provisionCommand: "docker run -d --name {name} serftop/webapp").routes(for: .provision(name: "s3"), in: model)
            == [.provisionCommand("docker run -d --name s3 serftop/webapp")])
        if case .impossible = ActionRouting(serfQueries: false).routes(for: .reload, in: model).first {} else { Issue.record("reload needs a way") }
    }

    /// `serftop balancer --backend-role web` makes servers of role=web
    /// members; the dashboard told the same finds them by the same rule.
    @Test func theBackendRoleIsTheBalancers() throws {
        var model = ClusterModel()
        model.roles = ClusterRoles(backend: "web")
        model.setMembers([Member(name: "w1", address: "10.0.0.1", port: 7946, tags: ["role": "web"]),
                          Member(name: "w2", address: "10.0.0.2", port: 7946, tags: ["role": "web"]),
                          Member(name: "old", address: "10.0.0.3", port: 7946, tags: ["role": "backend"]),
                          Member(name: "ha", address: "10.0.0.9", port: 7946, tags: ["role": "balancer"])], at: now)
        model.discoverBalancers()
        model.recordScrape(.success(try snapshot(["w1"])), for: model.balancers[0].endpoint, at: now)
        let rows = Dictionary(uniqueKeysWithValues: model.rows().map { ($0.name, $0) })
        #expect(rows["w2"]?.mark == .notInLB && rows["w2"]?.isBackend == true)
        #expect(rows["old"]?.mark == nil && rows["old"]?.isBackend == false)
        #expect(rows["w1"]?.isBackend == true && rows["ha"]?.isBackend == false)
    }

    /// REQ/s holds requests; where HAProxy counts none (TCP mode, old
    /// servers), sessions, said as such, never added to requests.
    @Test func trafficSaysWhatItCounts() throws {
        let http = try StatsCSVParser.parse("# pxname,svname,type,rate,req_rate,\nnodes,a,2,3,7,\nnodes,b,2,4,9,\n")
        let tcp = try StatsCSVParser.parse("# pxname,svname,type,rate,req_rate,\nnodes,a,2,3,,\nnodes,b,2,4,,\n")
        let old = try StatsCSVParser.parse("# pxname,svname,type,rate,\nnodes,a,2,3,\n")
        #expect(TrafficRate(http.servers) == .requests(16))
        #expect(TrafficRate(tcp.servers) == .sessions(7))
        #expect(TrafficRate(old.servers) == .sessions(3))
        #expect(TrafficRate([http.servers[0], tcp.servers[1]]) == .sessions(7), "a mix is counted in sessions, which both have")
        #expect(TrafficRate([]) == nil)

        var model = ClusterModel()
        model.setMembers([Member(name: "a", address: "10.0.0.1", port: 7946, tags: ["role": "backend"])], at: now)
        let e = try StatsEndpoint("10.0.0.9")
        model.balancers = [BalancerState(endpoint: e)]
        model.recordScrape(.success(tcp), for: e, at: now)
        model.sampleHistory()
        let row = model.rows().first { $0.name == "a" }
        #expect(row?.traffic == .sessions(3) && row?.history.last == 3)
    }
}
