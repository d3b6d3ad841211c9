import Foundation
import HAProxy
import Testing
import TestSupport

/// Against a real haproxy 2.6 in master-worker mode with real HTTP servers behind it.
@Suite struct LiveHAProxyTests {
    struct Setup {
        let haproxy: HAProxyInstance
        let backends: [HTTPBackend]
        let scraper: StatsScraper
        let endpoint: StatsEndpoint
    }

    func setup(admin: Bool = true, auth: Bool = true) async throws -> Setup {
        let backends = try [HTTPBackend(), HTTPBackend()]
        for b in backends { try await b.waitUntilReady() }
        var options = HAProxyInstance.Options()
        options.statsAdmin = admin
        if !auth { options.statsAuth = nil }
        options.servers = [.init("s1", port: backends[0].port), .init("s2", port: backends[1].port)]
        let haproxy = try HAProxyInstance(options)
        try await haproxy.waitUntilReady()
        let scraper = StatsScraper()
        let endpoint = try StatsEndpoint(haproxy.statsURL)
        try await eventually("both servers UP") {
            try await scraper.scrape(endpoint).servers.allSatisfy { $0.status?.state == .up }
        }
        return Setup(haproxy: haproxy, backends: backends, scraper: scraper, endpoint: endpoint)
    }

    func state(_ s: Setup, _ server: String) async throws -> ServerStatus.State? {
        try await s.scraper.scrape(s.endpoint).servers.first { $0.qualifiedName == "nodes/\(server)" }?.status?.state
    }

    @Test(arguments: ["runtime API (TCP)", "runtime API (unix)", "stats page"])
    func drainReadyAndMaintShowInTheNextScrape(path: String) async throws {
        let s = try await setup()
        let control: ServerControl
        switch path {
        case "runtime API (TCP)": control = ServerControl(runtimeAPI: HAProxyAddress(s.haproxy.adminAddress)!)
        case "runtime API (unix)": control = ServerControl(runtimeAPI: .unix(path: s.haproxy.adminSocket))
        default: control = ServerControl(statsPage: s.endpoint, scraper: s.scraper)
        }
        let drained = await control.apply(.drain, backend: "nodes", server: "s1")
        #expect(drained.succeeded, "\(drained)")
        #expect(try await state(s, "s1") == .drain)
        let ready = await control.apply(.ready, backend: "nodes", server: "s1")
        #expect(ready.succeeded, "\(ready)")
        #expect(try await state(s, "s1") == .up)
        let maint = await control.apply(.maint, backend: "nodes", server: "s2")
        #expect(maint.succeeded, "\(maint)")
        #expect(try await state(s, "s2") == .maint)
        await s.scraper.shutdown()
    }

    @Test func weightGoesThroughTheRuntimeAPI() async throws {
        let s = try await setup()
        let outcome = await ServerControl(runtimeAPI: HAProxyAddress(s.haproxy.adminAddress)!).apply(.weight(42), backend: "nodes", server: "s2")
        #expect(outcome.succeeded)
        #expect(try await s.scraper.scrape(s.endpoint).servers.first { $0.service == "s2" }?.weight == 42)
        await s.scraper.shutdown()
    }

    @Test func refusedActionsAreReportedAsRefused() async throws {
        let s = try await setup(admin: false)
        let readOnly = await ServerControl(statsPage: s.endpoint, scraper: s.scraper).apply(.drain, backend: "nodes", server: "s1")
        #expect(!readOnly.succeeded)
        #expect(readOnly.message.contains("read-only"), "\(readOnly)")
        #expect(try await state(s, "s1") == .up)
        let unknown = await ServerControl(runtimeAPI: HAProxyAddress(s.haproxy.adminAddress)!).apply(.maint, backend: "nodes", server: "nope")
        #expect(!unknown.succeeded)
        #expect(unknown.message.contains("No such server"), "\(unknown)")
        await s.scraper.shutdown()
    }

    /// Names that would be syntax on the CLI (`;`, newline, space), in a
    /// form or a config line are refused with the reason, and nothing
    /// reaches HAProxy: its states stay as they were and the site answers.
    @Test func namesThatAreSyntaxNeverReachHAProxy() async throws {
        let s = try await setup()
        let runtime = RuntimeAPI(address: HAProxyAddress(s.haproxy.adminAddress)!)
        func states() async throws -> [String] {
            try await runtime.stats().rows.map { "\($0.proxy)/\($0.service)=\($0.status?.raw ?? "")" }.sorted()
        }
        let before = try await states()
        let names = ["s1;disable frontend site", "s1\ndisable frontend site", "s1 disable", "s1/s2", "s1\"", "s1'",
                     String(repeating: "s", count: 500), ""]
        let controls = [ServerControl(runtimeAPI: HAProxyAddress(s.haproxy.adminAddress)!),
                        ServerControl(runtimeAPI: .unix(path: s.haproxy.adminSocket)),
                        ServerControl(statsPage: s.endpoint, scraper: s.scraper)]
        for name in names {
            for control in controls {
                let outcome = await control.apply(.maint, backend: "nodes", server: name)
                #expect(!outcome.succeeded)
                #expect(outcome.message.contains("cannot be a HAProxy server name") && outcome.message.contains("nothing was sent"),
                        "\(name.debugDescription): \(outcome.message)")
                #expect(!outcome.message.contains("\n"), "one line")
            }
            let viaBackend = await controls[0].apply(.maint, backend: name.isEmpty ? "a b" : name, server: "s1")
            #expect(viaBackend.message.contains("HAProxy backend name"), "\(viaBackend.message)")
        }
        // The socket refuses a line that is more than one command, whoever builds it.
        await #expect(throws: HAProxyError.self) { try await runtime.command("set server nodes/s1 state drain;disable frontend site") }
        await #expect(throws: HAProxyError.self) { try await runtime.command("show stat\ndisable frontend site") }
        #expect(try await states() == before)
        #expect(try await Tools.run("curl", ["-sf", "-o", "/dev/null", s.haproxy.siteURL]).status == 0)
        await s.scraper.shutdown()
    }

    @Test func unknownServerOnAnAdminStatsPageIsRefused() async throws {
        let s = try await setup()
        let outcome = await ServerControl(statsPage: s.endpoint, scraper: s.scraper).apply(.drain, backend: "nodes", server: "ghost")
        #expect(!outcome.succeeded, "\(outcome)")
        await s.scraper.shutdown()
    }

    @Test func reloadThatAddsAServerShowsItInTheNextScrape() async throws {
        let s = try await setup()
        let third = try HTTPBackend()
        try await third.waitUntilReady()
        try s.haproxy.rewrite(servers: s.haproxy.options.servers + [.init("s3", port: third.port)])
        let master = MasterCLI(address: .unix(path: s.haproxy.masterSocket))
        let outcome = try await master.reload()
        #expect(outcome.succeeded, "\(outcome)")
        #expect(try await s.scraper.scrape(s.endpoint).servers.contains { $0.service == "s3" })
        await s.scraper.shutdown()
    }

    @Test func brokenConfigReloadFailsAndTheOldWorkerKeepsServing() async throws {
        let s = try await setup()
        try s.haproxy.rewrite(appending: "    this_is_not_a_directive\n")
        let outcome = try await MasterCLI(address: .unix(path: s.haproxy.masterSocket)).reload()
        #expect(!outcome.succeeded)
        #expect(outcome.message.contains("failed"), "\(outcome)")
        let site = try await Tools.run("curl", ["-sf", s.haproxy.siteURL])
        #expect(site.status == 0 && site.output == "ok\n", "the old worker must still serve: \(site)")
        #expect(try await s.scraper.scrape(s.endpoint).servers.count == 2)
        await s.scraper.shutdown()
    }

    @Test func scrapeErrorsSayWhatToDo() async throws {
        let s = try await setup()
        let noAuth = try StatsEndpoint("http://127.0.0.1:\(s.haproxy.statsPort)/")
        await #expect(throws: HAProxyError.self) { try await s.scraper.scrape(noAuth) }
        do { _ = try await s.scraper.scrape(noAuth) } catch { #expect("\(error)".contains("needs a user and password")) }
        let nobody = try StatsEndpoint("127.0.0.1:\(FreePort.next())")
        do { _ = try await s.scraper.scrape(nobody); Issue.record("scraped nothing") } catch {
            #expect("\(error)".contains("connection refused"), "\(error)")
        }
        let html = try StatsEndpoint(s.haproxy.siteURL + "index.html;csv")
        await #expect(throws: HAProxyError.self) { try await s.scraper.scrape(html) }
        await s.scraper.shutdown()
    }

    /// A listener that accepts and never answers, and its stats endpoint.
    func silentBalancer() async throws -> (Daemon, StatsEndpoint) {
        let silent = try Daemon("silent", executable: "python3", arguments: ["-c", """
            import socket,time
            s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 0)); s.listen(5)
            print(s.getsockname()[1], flush=True)
            conns=[]
            while True:
                c,_=s.accept(); conns.append(c)
            """])
        let port = try await eventuallyValue("the silent server's port") { Int(silent.log.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return (silent, try StatsEndpoint("127.0.0.1:\(port)"))
    }

    /// A "stats page" that never ends, or announces more than any balancer
    /// has: any member can tag itself a balancer and be scraped every
    /// refresh. Its size is refused with a clear reason, not held in
    /// memory or waited out.
    @Test(arguments: [false, true])
    func aPageLargerThanTheLimitIsRefused(announced: Bool) async throws {
        let server = try Daemon("endless-page", executable: "python3", arguments: ["-c", """
            import socket,sys
            s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 0)); s.listen(5)
            print(s.getsockname()[1], flush=True)
            length = b"Content-Length: 10000000000\\r\\n" if sys.argv[1] == "1" else b""
            row = b"nodes,s1,0,0,0,0,,1,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,0,,1,3,1,,0,,2,0,,0,L4OK,,0,,,,,,,0,,,,0,0,\\n" * 1000
            while True:
                c,_=s.accept()
                try:
                    c.recv(65536)
                    c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\n" + length + b"\\r\\n# pxname,svname\\n")
                    while True: c.sendall(row)
                except OSError:
                    c.close()
            """, announced ? "1" : "0"])
        let port = try await eventuallyValue("the page's port") { Int(server.log.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let scraper = StatsScraper(timeout: .seconds(60))
        let result = await scraper.scrapeAll([try StatsEndpoint("127.0.0.1:\(port)")])
        let failure = try #require(result.values.first.flatMap { if case .failure(let e) = $0 { return e } else { return nil } }, "\(result)")
        #expect("\(failure)".contains("the page is larger than 64 MB"), "\(failure)")
        await scraper.shutdown()
        await server.stop()
    }

    /// A scrape ends when its task is cancelled (a dashboard quitting), not
    /// at its timeout: the request is cancelled with it.
    @Test func aCancelledScrapeEndsAtOnce() async throws {
        let (silent, endpoint) = try await silentBalancer()
        let scraper = StatsScraper(timeout: .seconds(120))
        let scrape = Task { await scraper.scrapeAll([endpoint]) }
        try await Task.sleep(for: .milliseconds(500))
        let start = ContinuousClock.now
        scrape.cancel()
        let result = await scrape.value
        #expect(ContinuousClock.now - start < .seconds(20), "the scrape waited for its timeout")
        #expect(result.values.allSatisfy { if case .failure = $0 { return true } else { return false } }, "\(result)")
        await scraper.shutdown()
        await silent.stop()
    }

    @Test func oneSlowBalancerDoesNotHoldUpTheOthers() async throws {
        let s = try await setup()
        let (silent, silentEndpoint) = try await silentBalancer()
        let slowScraper = StatsScraper(timeout: .seconds(3))
        let slow = Task { (await slowScraper.scrapeAll([silentEndpoint]), ContinuousClock.now) }
        let fast = try await slowScraper.scrape(s.endpoint)
        let fastEnd = ContinuousClock.now
        #expect(fast.servers.count == 2)
        let (slowResult, slowEnd) = await slow.value
        // The healthy page is not held up until the silent one times out.
        #expect(fastEnd < slowEnd, "the healthy balancer answered only after the silent one gave up")
        #expect(slowResult.values.allSatisfy { if case .failure = $0 { return true } else { return false } })
        await slowScraper.shutdown()
        await s.scraper.shutdown()
        await silent.stop()
    }

    @Test func commandLineToolsWork() async throws {
        let s = try await setup()
        let stats = try await SerftopBinary.run(["stats", "--haproxy", s.haproxy.statsURL])
        #expect(stats.status == 0, "\(stats.output)")
        #expect(stats.output.contains("nodes    s1      UP"), "\(stats.output)")
        let drain = try await SerftopBinary.run(["server", "drain", "nodes/s1", "--runtime-api", "unix:\(s.haproxy.adminSocket)"])
        #expect(drain.status == 0, "\(drain.output)")
        let json = try await SerftopBinary.run(["stats", "--haproxy", s.haproxy.statsURL, "--format", "json"])
        #expect(json.output.contains("\"status\" : \"DRAIN\""), "\(json.output)")
        let refused = try await SerftopBinary.run(["server", "maint", "nodes/ghost", "--runtime-api", s.haproxy.adminAddress])
        #expect(refused.status != 0 && refused.output.contains("No such server"))
        let reload = try await SerftopBinary.run(["reload", "--haproxy-master", "unix:\(s.haproxy.masterSocket)"])
        #expect(reload.status == 0 && reload.output.contains("reload #1 done"), "\(reload.output)")
        await s.scraper.shutdown()
    }
}
