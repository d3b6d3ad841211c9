import Foundation
import HAProxy
import TerminalUI
import Testing
import TestSupport

/// What other members and the terminal send is data: names that would be
/// syntax on HAProxy's CLI, stats URLs that would collect credentials, and
/// mouse reports that would be keys. Real serf agents, haproxy and tmux.
@Suite struct HostileInputEndToEndTests {
    static let hostile = "zz;disable frontend site"

    /// The dashboard's cluster, and an agent named `zz;disable frontend site`
    /// tagged role=backend.
    func cluster() async throws -> DashboardCluster { try await .start(extraBackends: [Self.hostile]) }

    /// The dashboard on it, acting through the runtime API.
    func dashboard(_ c: DashboardCluster) async throws -> TmuxSession {
        try await TmuxSession("\(try SerftopBinary.path()) --join \(c.agents[0].gossipAddress) --bind 127.0.0.1:0 --node e2e-obs "
            + "--runtime-api \(c.haproxy.adminAddress) --refresh 0.5", width: 140, height: 40,
            environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
    }

    /// pxname, svname and status of every row: what an injected command would change.
    func states(_ h: HAProxyInstance) async throws -> [String] {
        try await RuntimeAPI(address: HAProxyAddress(h.adminAddress)!).stats().rows
            .map { "\($0.proxy)/\($0.service)=\($0.status?.raw ?? "")" }.sorted()
    }

    func siteAnswers(_ h: HAProxyInstance) async throws -> Bool {
        try await Tools.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", h.siteURL]).output == "200"
    }

    /// A name serf itself takes: it would retitle the terminal, and print a
    /// line of its own that reads like another member failing.
    static let spoofing = "evil\u{1B}]0;pwned\u{07}\nFAKE member-failed web-1"

    /// Nothing a terminal would act on (the line breaks are ours).
    static func printable(_ text: String) -> Bool {
        !text.unicodeScalars.contains { TerminalText.isObeyed($0) && $0 != "\n" }
    }

    /// What members say reaches the operator's terminal as text: each member,
    /// event and answer one line, escapes spelled out. Real serf agents: one
    /// named `spoofing`, with a tag that would clear the screen and a query
    /// handler whose answer holds a newline and a direction override.
    @Test func whatMembersSayIsPrintedNotObeyed() async throws {
        let seed = try SerfAgent("tt-seed")
        try await seed.waitUntilReady()
        let monitor = try SerftopBinary.start("monitor-hostile", ["monitor", "--join", seed.gossipAddress, "--bind", "127.0.0.1:0",
                                                                  "--node", "tt-monitor"])
        defer { monitor.stop() }
        try await eventually("the monitor to join", timeout: 15) { await seed.status(of: "tt-monitor") == "alive" }
        var options = SerfAgent.Options()
        options.join = [seed.gossipAddress]
        options.tags = ["role": "backend", "note": "\u{1B}[2Jboom"]
        options.eventHandlers = [#"query=printf 'ok\nFAKE Response from web-1: yes\342\200\256'"#]
        let evil = try SerfAgent(Self.spoofing, options)
        try await evil.waitUntilReady()
        try await eventually("the seed to list it", timeout: 15) { await seed.status(of: Self.spoofing) == "alive" }
        let name = #"evil\e]0;pwned\u{7}\nFAKE member-failed web-1"#

        for via in [["--rpc", seed.rpcAddress], ["--join", seed.gossipAddress, "--bind", "127.0.0.1:0"]] {
            let r = try await SerftopBinary.run(["members"] + via)
            #expect(r.status == 0, "\(r.output)")
            let lines = r.output.split(separator: "\n")
            #expect(lines.filter { $0.contains("FAKE") }.count == 1 && !lines.contains { $0.hasPrefix("FAKE") },
                    "\(via[0]): \(r.output.debugDescription)")
            #expect(Self.printable(r.output), "\(via[0]): \(r.output.debugDescription)")
            #expect(r.output.contains(name) && r.output.contains(#"note=\e[2Jboom"#), "\(via[0]): \(r.output.debugDescription)")
        }

        let q = try await SerftopBinary.run(["query", "--join", seed.gossipAddress, "--bind", "127.0.0.1:0", "--timeout", "3s", "ping"])
        #expect(q.status == 0, "\(q.output)")
        #expect(Self.printable(q.output), "\(q.output.debugDescription)")
        #expect(q.output.contains("Response from '\(name)': ok\\nFAKE Response from web-1: yes\\u{202E}\n"), "\(q.output.debugDescription)")
        #expect(!q.output.split(separator: "\n").contains { $0.hasPrefix("FAKE") }, "\(q.output.debugDescription)")

        try await seed.serf("event", ["deploy\u{1B}[31m", "v1\nFAKE line"])
        try await eventually("the monitor to print the event", timeout: 10) { monitor.log.contains("user deploy") }
        let log = monitor.log
        #expect(Self.printable(log), "\(log.debugDescription)")
        #expect(log.contains("member-join \(name) "), "\(log.debugDescription)")
        #expect(log.contains(#"user deploy\e[31m v1\nFAKE line"#), "\(log.debugDescription)")
        #expect(!log.split(separator: "\n").contains { $0.hasPrefix("FAKE") }, "\(log.debugDescription)")
    }

    /// A failure that quotes a peer's answer is printed, not obeyed: a
    /// "runtime API" answering with an escape and a line that would read
    /// as serftop's own.
    @Test func aFailureQuotingAnAnswerIsPrintedNotObeyed() async throws {
        let answer = TemporaryDirectory.shared.url.appendingPathComponent("hostile-answer-\(FreePort.next())")
        try "\u{1B}]0;PWNED\u{07}\nserftop: all servers drained OK\n".write(to: answer, atomically: true, encoding: .utf8)
        let fake = try await FakeServer("exec cat \(answer.path)")
        defer { fake.stop() }
        let r = try await SerftopBinary.run(["server", "drain", "nodes/s1", "--runtime-api", "tcp://\(fake.address)"])
        #expect(r.status != 0, "\(r.output)")
        #expect(Self.printable(r.output), "\(r.output.debugDescription)")
        // Its own lines stay lines, indented under the error's first.
        #expect(r.output.contains(#"\e]0;PWNED\u{7}"# + "\n  serftop: all servers drained OK"), "\(r.output.debugDescription)")
        #expect(!r.output.split(separator: "\n").contains { $0.hasPrefix("serftop: all") }, "\(r.output.debugDescription)")
    }

    @Test func theCommandLineRefusesNamesThatAreSyntax() async throws {
        let backends = [try HTTPBackend()]
        try await backends[0].waitUntilReady()
        var options = HAProxyInstance.Options()
        options.servers = [.init("s1", port: backends[0].port)]
        let haproxy = try HAProxyInstance(options)
        try await haproxy.waitUntilReady()
        let before = try await states(haproxy)
        let names = [Self.hostile, "s1\ndisable frontend site", "s1 disable", "s1/x", "s1\"", "s1'", String(repeating: "s", count: 500)]
        for name in names {
            // --haproxy-admin: the old spelling of --runtime-api still works.
            for via in [["--runtime-api", haproxy.adminAddress], ["--haproxy-admin", "unix:" + haproxy.adminSocket], ["--haproxy", haproxy.statsURL]] {
                let r = try await SerftopBinary.run(["server", "maint", "nodes/\(name)"] + via)
                #expect(r.status != 0, "\(name.debugDescription) via \(via[0])")
                #expect(r.output.contains("cannot be a HAProxy server name") && r.output.contains("nothing was sent"),
                        "\(name.debugDescription): \(r.output)")
            }
        }
        let backend = try await SerftopBinary.run(["server", "drain", "nodes;disable frontend site/s1", "--runtime-api", haproxy.adminAddress])
        #expect(backend.status != 0 && backend.output.contains("HAProxy backend name"), "\(backend.output)")
        #expect(try await states(haproxy) == before)
        #expect(try await siteAnswers(haproxy))
        // A good name still works.
        let ok = try await SerftopBinary.run(["server", "drain", "nodes/s1", "--runtime-api", haproxy.adminAddress])
        #expect(ok.status == 0, "\(ok.output)")
    }

    @Test func theDashboardRefusesToActOnAHostileNameAndShowsEachNodeOnce() async throws {
        let c = try await cluster()
        let tmux = try await dashboard(c)
        defer { tmux.kill() }
        let screen = try await tmux.waitFor("every node, the hostile one marked") { s in
            ["e2e-s1", "e2e-s2"].allSatisfy { TmuxSession.line(s, startingWith: $0)?.contains("UP") == true }
                && TmuxSession.line(s, startingWith: "zz;disable")?.contains("bad name") == true
        }
        let before = try await states(c.haproxy)
        let lines = screen.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix(" e2e-s1 ") }.count == 1, "\(screen)")
        #expect(lines.filter { $0.hasPrefix(" zz") }.count == 1, "once, never again as a sanitised server: \(screen)")

        await tmux.send("/")
        await tmux.send("-l", "zz")
        await tmux.send("Enter")
        for key in ["d", "m", "D"] {
            await tmux.send(key)
            try await tmux.waitFor("the refusal") { $0.contains("cannot be a HAProxy server name") && $0.contains("';'") }
            await tmux.send("y")
        }
        try await Task.sleep(for: .seconds(1.5))
        #expect(!(await tmux.capture()).contains("Drain zz"), "no question was asked")
        #expect(try await states(c.haproxy) == before)
        #expect(try await siteAnswers(c.haproxy))
        await tmux.send("q")
    }

    /// The SGR report that used to open the maint prompt with its final
    /// `m`, then Enter, which used to confirm it.
    @Test func mouseReportsAreNotKeysAndOnlyYConfirms() async throws {
        let c = try await cluster()
        let tmux = try await dashboard(c)
        defer { tmux.kill() }
        try await tmux.waitFor("both servers UP") { s in
            ["e2e-s1", "e2e-s2"].allSatisfy { TmuxSession.line(s, startingWith: $0)?.contains("UP") == true }
        }
        await tmux.send("/")
        await tmux.send("-l", "e2e-s1")
        await tmux.send("Enter")
        let before = try await states(c.haproxy)

        // Sent as the terminal would: one write, ESC and all.
        await tmux.send("-H", "1b", "5b", "3c", "30", "3b", "35", "3b", "35", "6d")
        try await Task.sleep(for: .milliseconds(500))
        var screen = await tmux.capture()
        #expect(!screen.contains("maintenance?"), "no maint prompt from a mouse report:\n\(screen)")
        // Enter is now the plain key: the node's details.
        await tmux.send("Enter")
        screen = try await tmux.waitFor("the details") { $0.contains("Esc closes") }
        #expect(!screen.contains("maintenance?"))
        try await Task.sleep(for: .seconds(1))
        #expect(try await states(c.haproxy) == before, "nothing sent")
        await tmux.send("Escape")
        try await tmux.waitFor("the details closed") { !$0.contains("Esc closes") }

        // d, then Enter: declined.
        await tmux.send("d")
        try await tmux.waitFor("the question") { $0.contains("Drain e2e-s1?") && $0.contains("y: yes") }
        await tmux.send("Enter")
        try await tmux.waitFor("the cancellation") { $0.contains("cancelled: drain e2e-s1") }
        try await Task.sleep(for: .seconds(1.5))
        #expect(try await states(c.haproxy) == before, "nothing sent")

        // d, then y: sent.
        await tmux.send("d")
        try await tmux.waitFor("the question") { $0.contains("Drain e2e-s1?") }
        await tmux.send("y")
        try await eventually("HAProxy to report e2e-s1 DRAIN") {
            try await states(c.haproxy).contains("nodes/e2e-s1=DRAIN")
        }
        await tmux.send("q")
    }

    /// The password from a file or the environment, kept off the command line.
    @Test func thePasswordComesFromAFileOrTheEnvironment() async throws {
        let haproxy = try HAProxyInstance()
        try await haproxy.waitUntilReady()
        let binary = try SerftopBinary.path()
        let page = ["--haproxy", "127.0.0.1:\(haproxy.statsPort)", "--stats-user", "admin"]
        let none = try await Tools.run("env", ["-u", "SERFTOP_STATS_PASSWORD", binary, "stats"] + page)
        #expect(none.status != 0 && none.output.contains("HTTP 401"), "\(none.output)")
        let fromEnvironment = try await Tools.run("env", ["SERFTOP_STATS_PASSWORD=secret", binary, "stats"] + page)
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.output)")
        let file = TemporaryDirectory.shared.make("secret").appendingPathComponent("password").path
        try "secret\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try await Tools.run("env", ["-u", "SERFTOP_STATS_PASSWORD", binary, "stats", "--stats-password-file", file] + page)
        #expect(fromFile.status == 0, "\(fromFile.output)")
        let missing = try await Tools.run("env", [binary, "stats", "--stats-password-file", file + ".nope"] + page)
        #expect(missing.status != 0 && missing.output.contains("--stats-password-file: cannot read"), "\(missing.output)")
        // The spellings `stats` and `server` had before still work.
        let old = try await Tools.run("env", ["-u", "SERFTOP_STATS_PASSWORD", binary, "stats", "--haproxy", "127.0.0.1:\(haproxy.statsPort)",
                                              "--user", "admin", "--password-file", file])
        #expect(old.status == 0, "\(old.output)")
        let both = try await Tools.run("env", [binary, "stats", "--user", "admin", "--stats-user", "root", "--haproxy", "127.0.0.1:\(haproxy.statsPort)"])
        #expect(both.status != 0 && both.output.contains("--user is the old spelling of --stats-user"), "\(both.output)")
    }

    /// Any member can tag itself a balancer with a stats URL of its choice:
    /// it gets no credentials unless the operator names it.
    @Test func credentialsGoOnlyWhereTheOperatorSentThem() async throws {
        var options = HAProxyInstance.Options()
        options.statsAuth = ("admin", "secret")
        let haproxy = try HAProxyInstance(options)
        try await haproxy.waitUntilReady()
        let rogue = try HeaderRecorder(), named = try HeaderRecorder()
        var seed = SerfAgent.Options()
        seed.tags = ["role": "balancer", "stats": rogue.url]
        let rogueAgent = try SerfAgent("e2e-rogue", seed)
        try await rogueAgent.waitUntilReady()
        var other = SerfAgent.Options()
        other.tags = ["role": "balancer", "stats": named.url]
        other.join = [rogueAgent.gossipAddress]
        let namedAgent = try SerfAgent("e2e-named", other)
        try await namedAgent.waitUntilReady()

        let dir = TemporaryDirectory.shared.make("secret")
        let passwordFile = dir.appendingPathComponent("stats-password").path
        try "secret\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let binary = try SerftopBinary.path()
        let page = "http://127.0.0.1:\(haproxy.statsPort)/"
        let tmux = try await TmuxSession("\(binary) --join \(rogueAgent.gossipAddress) --bind 127.0.0.1:0 --refresh 0.3 "
            + "--haproxy \(page) --stats-user admin --stats-password-file \(passwordFile) "
            + "--stats-credentials-for 127.0.0.1:\(named.port)", width: 200, height: 40,
            environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        defer { tmux.kill() }
        let screen = try await tmux.waitFor("every balancer scraped") { s in
            s.contains("haproxy 127.0.0.1:\(haproxy.statsPort) ✓") && s.contains("haproxy e2e-rogue ✓") && s.contains("haproxy e2e-named ✓")
        }
        try await eventually("a few scrapes of each") { rogue.authorizations.count >= 3 && named.authorizations.count >= 3 }
        #expect(rogue.authorizations.allSatisfy { $0 == "-" }, "the rogue got \(Set(rogue.authorizations))")
        let expected = "Basic " + Data("admin:secret".utf8).base64EncodedString()
        #expect(named.authorizations.allSatisfy { $0 == expected }, "\(Set(named.authorizations))")
        // The configured page got them too: its scrape (which needs them) works.
        #expect(screen.contains("127.0.0.1:\(haproxy.statsPort) ✓"))
        #expect(screen.contains("e2e-rogue ✓ (found)") && screen.contains("e2e-named ✓ (found, auth)"), "\(screen)")
        await tmux.send("q")
    }
}
