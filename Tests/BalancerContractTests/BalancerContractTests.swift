import BalancerContract
import HAProxy
import Serf
import Testing

/// What `serftop balancer` and its clients say to each other. The literal
/// strings here are the wire: changing one breaks balancers and dashboards
/// of different versions.
@Suite struct BalancerContractTests {
    func parse(_ payload: String, query: BalancerQuery = .server) throws(BalancerRequestError) -> BalancerRequest {
        try BalancerRequest(query: query.name, payload: Array(payload.utf8))
    }

    /// The error for a payload, or a recorded issue if it was accepted.
    func refusal(_ payload: [UInt8], query: String = BalancerQuery.server.name) -> BalancerRequestError? {
        do {
            let request = try BalancerRequest(query: query, payload: payload)
            Issue.record("accepted \(payload.count) bytes as \(request)")
            return nil
        } catch {
            return error
        }
    }

    func refusal(_ payload: String, query: String = BalancerQuery.server.name) -> BalancerRequestError? {
        refusal(Array(payload.utf8), query: query)
    }

    @Test func theQueryNamesAreTheWire() {
        #expect(BalancerQuery.reload.name == "serftop-reload")
        #expect(BalancerQuery.server.name == "serftop-server")
        #expect(BalancerQuery(rawValue: "serftop-server") == .server)
    }

    @Test func everyRequestRoundTrips() throws {
        for verb in ServerQuery.Verb.allCases {
            for name in ["s1", "web-1.eu:a", "A_b", String(repeating: "n", count: HAProxyName.maxLength)] {
                let request = BalancerRequest.server(ServerQuery(verb, server: try HAProxyName(name)))
                #expect(request.payload == "\(verb.rawValue) \(name)")
                #expect(try parse(request.payload) == request)
            }
        }
        #expect(BalancerRequest.reload.payload == "")
        #expect(try parse("", query: .reload) == .reload)
        #expect(try parse(" \n", query: .reload) == .reload)
    }

    @Test func theServerGrammarToleratesSpacingAndCase() throws {
        #expect(try ServerQuery(parsing: " drain  web1 ") == ServerQuery(.drain, server: "web1"))
        #expect(try ServerQuery(parsing: "MAINT s2") == ServerQuery(.maint, server: "s2"))
        #expect(try ServerQuery(parsing: "Ready\ts3").action == .ready)
    }

    @Test func aWeightIsNoQuery() {
        #expect(ServerQuery(action: .weight(50), server: "s1") == nil)
        #expect(ServerQuery(action: .drain, server: "s1") == ServerQuery(.drain, server: "s1"))
        let error = refusal("weight s1")
        #expect(error == .unknownVerb("'weight'"))
        #expect("\(error!)".contains("drain, ready or maint"))
    }

    @Test func unknownVerbsAreRefused() {
        for verb in ["explode", "disable", "set", "shutdown", "drain;", "d", "dràin", ""] {
            let error = refusal("\(verb) s1")
            #expect(error != nil, "\(verb)")
            #expect("\(error.map { "\($0)" } ?? "")".contains("drain"), "\(verb): \(String(describing: error))")
        }
    }

    @Test func missingAndExtraFieldsAreRefused() {
        for payload in ["", "drain", "   ", "drain s1 s2", "drain s1 now", "drain s1 ; disable frontend site",
                        "drain s1\ndisable frontend site", "drain s1\r\nshow stat"] {
            guard let error = refusal(payload) else { continue }
            #expect(error == .serverGrammar(HAProxyName.quoted(payload)), "\(payload.debugDescription): \(error)")
            #expect("\(error)".hasPrefix("expected 'drain|ready|maint NAME'"))
        }
    }

    @Test func namesThatAreSyntaxAreRefused() {
        for name in ["zz;disable", "a/b", "s1\"", "s1'", "s1#x", "../etc", "s1\u{0}", "s1\u{7f}", "wéb", "s1&x=1", "$(reboot)",
                     String(repeating: "s", count: HAProxyName.maxLength + 1)] {
            guard let error = refusal("drain \(name)") else { continue }
            guard case .badName = error else { Issue.record("\(name.debugDescription): \(error)"); continue }
            #expect("\(error)".contains("cannot be a HAProxy server name") && "\(error)".contains("nothing was sent"))
        }
    }

    @Test func hugeOrBinaryPayloadsAreRefusedUnread() {
        for size in [BalancerRequest.maxPayload + 1, 64 << 10, 1 << 20] {
            let error = refusal("drain " + String(repeating: "a", count: size))
            #expect(error == .tooLong(size + 6))
            #expect("\(error!)".contains("at most \(BalancerRequest.maxPayload)"))
        }
        #expect(refusal([0x64, 0x72, 0x61, 0x69, 0x6e, 0x20, 0xff, 0xfe]) == .notText)
        #expect(refusal(Array(repeating: 0, count: 300), query: BalancerQuery.reload.name) == .tooLong(300))
    }

    @Test func aReloadTakesNoPayload() {
        let error = refusal("drain s1", query: BalancerQuery.reload.name)
        #expect(error == .unexpectedPayload("'drain s1'"))
        #expect("\(error!)".contains("serftop-reload takes no payload"))
    }

    @Test func otherQueriesAreNotTheBalancers() {
        for name in ["serftop-shutdown", "SERFTOP-SERVER", "serftop-server ", ""] {
            #expect(refusal("drain s1", query: name) != nil, "\(name)")
        }
    }

    @Test func theQueryReachesTheBalancersOnly() {
        let request = BalancerRequest.server(ServerQuery(.drain, server: "s1")).queryRequest(to: ClusterRoles(), timeout: .seconds(8))
        #expect(request.name == "serftop-server")
        #expect(request.payload == Array("drain s1".utf8))
        #expect(request.filterTags == ["role": "^balancer$"])
        #expect(request.requestAck && request.timeout == .seconds(8))
        #expect(request.filterNodes.isEmpty, "every balancer")
        let one = BalancerRequest.server(ServerQuery(.drain, server: "s1")).queryRequest(to: ClusterRoles(), timeout: .seconds(8), only: "ha2")
        #expect(one.filterNodes == ["ha2"] && one.filterTags == ["role": "^balancer$"])
        let odd = ClusterRoles(balancer: "lb.v2(eu)*")
        #expect(odd.balancerFilter == ["role": #"^lb\.v2\(eu\)\*$"#])
    }

    // MARK: Signed requests

    let key = try! ActionKey(secret: Array("a key of more than sixteen bytes".utf8))

    func event(_ query: BalancerQuery, _ payload: String, ltime: UInt64 = 10, key: ActionKey? = nil, signedFor: BalancerQuery? = nil) -> QueryEvent {
        let signer = key ?? self.key
        let bytes = signer.sign(query: (signedFor ?? query).name, payload: Array(payload.utf8), sender: "ops", ltime: ltime)
        return QueryEvent(id: 1, ltime: ltime, name: query.name, payload: bytes)
    }

    @Test func aSignedRequestIsReceivedOnce() {
        var replays = ReplayGuard()
        let e = event(.server, "drain s1")
        #expect(BalancerRequest.receive(e, key: key, replays: &replays) == .success(.server(ServerQuery(.drain, server: "s1"))))
        #expect(BalancerRequest.receive(e, key: key, replays: &replays) == .failure(.notAuthorised(.replayed)))
        #expect(BalancerRequest.receive(event(.reload, ""), key: key, replays: &replays) == .success(.reload))
    }

    @Test func unsignedOrMissignedRequestsAreRefusedBeforeTheyAreRead() throws {
        var replays = ReplayGuard()
        let plain = QueryEvent(id: 1, ltime: 5, name: BalancerQuery.server.name, payload: Array("drain s1".utf8))
        #expect(BalancerRequest.receive(plain, key: key, replays: &replays) == .failure(.notAuthorised(.unsigned)))
        #expect(BalancerRequest.receive(event(.server, "drain s1"), key: nil, replays: &replays) == .failure(.notAuthorised(.noKey)))
        let other = try ActionKey(secret: Array("another key, sixteen bytes long".utf8))
        #expect(BalancerRequest.receive(event(.server, "drain s1", key: other), key: key, replays: &replays)
            == .failure(.notAuthorised(.badSignature)))
        // Signed for a reload, sent as a server request.
        #expect(BalancerRequest.receive(event(.server, "", signedFor: .reload), key: key, replays: &replays)
            == .failure(.notAuthorised(.badSignature)))
        // A hostile payload that is not signed is refused as unsigned, not parsed.
        let hostile = QueryEvent(id: 1, ltime: 5, name: BalancerQuery.server.name, payload: Array(repeating: 0x41, count: 1 << 20))
        #expect(BalancerRequest.receive(hostile, key: key, replays: &replays) == .failure(.notAuthorised(.unsigned)))
    }

    @Test func aSignedButMalformedRequestIsRefusedWithTheReason() {
        var replays = ReplayGuard()
        for payload in ["explode s1", "drain zz;disable frontend site", "drain s1 s2", String(repeating: "x", count: 4096)] {
            let result = BalancerRequest.receive(event(.server, payload), key: key, replays: &replays)
            guard case .failure(.malformed(let error)) = result else { Issue.record("\(payload.prefix(40)): \(result)"); continue }
            #expect(BalancerReply.failure("\(BalancerRefusal.malformed(error))").text.hasPrefix("error: "))
        }
    }

    // MARK: Replies

    @Test func repliesSayWhetherTheRequestWasCarriedOut() {
        #expect(BalancerReply.failure("held: x").text == "error: held: x")
        #expect(!BalancerReply.failure("x").succeeded)
        #expect(BalancerReply.success("nodes/s1: drain (runtime API unix:/run/haproxy/admin.sock)").succeeded)
        #expect(BalancerReply.success("reloaded: 2 server(s); ok").warning(nil).text == "reloaded: 2 server(s); ok")
        let warned = BalancerReply.success("reloaded: 2 server(s); ok").warning("no worker")
        #expect(warned.text == "reloaded: 2 server(s); ok (warning: no worker)" && warned.succeeded)
        #expect(!BalancerReply.success("drained").warning("the master CLI failed to answer").succeeded)
        #expect(!BalancerReply(decoding: Array("  ERROR: not authorised\n".utf8)).succeeded)
        #expect(BalancerReply(decoding: Array("  ok\n".utf8)).text == "ok")
    }

    @Test func aReplyFitsOneResponse() {
        let long = BalancerReply.failure(String(repeating: "é", count: 5000))
        #expect(long.encoded.count <= BalancerReply.maxLength * 2)
        #expect(String(decoding: long.encoded, as: UTF8.self).count == BalancerReply.maxLength)
    }

    // MARK: Roles

    @Test func rolesAreTheRoleTag() {
        let ha = Member(name: "ha", address: "10.0.0.9", port: 7946, tags: ["role": "balancer"])
        let web = Member(name: "w1", address: "10.0.0.1", port: 7946, tags: ["role": "web"])
        let bare = Member(name: "x", address: "10.0.0.2", port: 7946, tags: [:])
        #expect(ha.role == "balancer" && bare.role == nil)
        #expect(ClusterRoles().isBalancer(ha) && !ClusterRoles().isBackend(web))
        #expect(ClusterRoles(backend: "web").isBackend(web) && !ClusterRoles(backend: "web").isBackend(bare))
        #expect(ClusterRoles.tag == "role" && ClusterRoles.defaultBackend == "backend" && ClusterRoles.defaultBalancer == "balancer")
    }
}
