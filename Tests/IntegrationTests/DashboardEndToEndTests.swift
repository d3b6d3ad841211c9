import Foundation
import Testing
import TestSupport

/// The dashboard in a real terminal (tmux), on a real cluster: serf agents,
/// haproxy with real servers behind it.
@Suite struct DashboardEndToEndTests {
    func cluster() async throws -> DashboardCluster { try await .start() }

    @Test func drainReadyFailureAndQuitInARealTerminal() async throws {
        let c = try await cluster()
        let binary = try SerftopBinary.path()
        let command = "\(binary) --join \(c.agents[0].gossipAddress) --bind 127.0.0.1:0 --node e2e-obs "
            + "--runtime-api \(c.haproxy.adminAddress) --refresh 0.5; echo TERMINAL-RESTORED; sleep 30"
        let tmux = try await TmuxSession(command, environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        defer { tmux.kill() }

        // Every node, with its gossip status and HAProxy's.
        var screen = try await tmux.waitFor("both servers UP and every member alive") { s in
            ["e2e-s1", "e2e-s2"].allSatisfy { TmuxSession.line(s, startingWith: $0).map { $0.contains("alive") && $0.contains("UP") } ?? false }
                && TmuxSession.line(s, startingWith: "e2e-ha")?.contains("alive") == true
                && TmuxSession.line(s, startingWith: "e2e-obs")?.contains("observer") == true
        }
        #expect(screen.contains("haproxy e2e-ha ✓"))

        // d, then y: HAProxy reports DRAIN.
        // Select e2e-s1 with the filter, so the test does not depend on row order.
        await tmux.send("/")
        await tmux.send("-l", "e2e-s1")
        await tmux.send("Enter")
        await tmux.send("d")
        try await tmux.waitFor("the confirmation") { $0.contains("Drain e2e-s1?") }
        await tmux.send("y")
        try await eventually("HAProxy to report e2e-s1 DRAIN") {
            let csv = try await Tools.run("curl", ["-s", c.haproxy.statsURL + ";csv"]).output
            return csv.contains("nodes,e2e-s1,") && csv.split(separator: "\n").first { $0.hasPrefix("nodes,e2e-s1,") }?.contains(",DRAIN,") == true
        }
        screen = try await tmux.waitFor("DRAIN on screen") { TmuxSession.line($0, startingWith: "e2e-s1")?.contains("DRAIN") == true }

        // r, then y: back UP.
        await tmux.send("r")
        try await tmux.waitFor("the confirmation") { $0.contains("Set e2e-s1 ready?") }
        await tmux.send("y")
        try await tmux.waitFor("UP again") { TmuxSession.line($0, startingWith: "e2e-s1")?.contains("UP") == true }
        await tmux.send("Escape")

        // An agent killed: its row turns failed.
        c.agents[2].crash()
        try await tmux.waitFor("e2e-s2 failed", timeout: 30) { TmuxSession.line($0, startingWith: "e2e-s2")?.contains("failed") == true }

        // q: the terminal comes back and the agents see the observer leave.
        await tmux.send("q")
        screen = try await tmux.waitFor("the shell after quitting") { $0.contains("TERMINAL-RESTORED") }
        #expect(!screen.contains("GOSSIP"), "the dashboard's screen is gone")
        try await eventually("the agents to show the observer left", timeout: 3) {
            await c.agents[0].status(of: "e2e-obs") == "left"
        }
    }

    @Test func readOnlyHidesActionsAndRefusesThem() async throws {
        let c = try await cluster()
        let binary = try SerftopBinary.path()
        let tmux = try await TmuxSession("\(binary) --join \(c.agents[0].gossipAddress) --bind 127.0.0.1:0 --read-only --runtime-api \(c.haproxy.adminAddress)",
                                         width: 100, height: 30, environment: ["LANG": "C.UTF-8"])
        defer { tmux.kill() }
        let screen = try await tmux.waitFor("the dashboard") { $0.contains("READ-ONLY") && $0.contains("e2e-s1") }
        #expect(!screen.contains("d drain"))
        await tmux.send("d")
        try await tmux.waitFor("the refusal") { $0.contains("read-only: actions are disabled") }
        await tmux.send("q")
    }

    /// A frame leaves in one write, not one per cursor move: every write
    /// to the terminal wakes whatever reads it (tmux, sshd).
    @Test func aFrameGoesOutInAFewWrites() async throws {
        // Forty servers: each scrape grows forty sparklines by a cell, the
        // sparse kind of change that costs a cursor move per row.
        var options = HAProxyInstance.Options()
        options.servers = (1 ... 40).map { .init("f\($0)", port: 9, check: false) }
        let haproxy = try HAProxyInstance(options)
        try await haproxy.waitUntilReady()
        var tags = SerfAgent.Options()
        tags.tags = ["role": "balancer", "stats": haproxy.statsURL]
        let agent = try SerfAgent("e2e-frames-ha", tags)
        try await agent.waitUntilReady()
        let binary = try SerftopBinary.path()
        let node = "e2e-frames-\(UUID().uuidString.prefix(6))"
        let tmux = try await TmuxSession("\(binary) --join \(agent.gossipAddress) --bind 127.0.0.1:0 --node \(node) --refresh 0.5",
                                         width: 160, height: 50, environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        defer { tmux.kill() }
        try await tmux.waitFor("the servers") { TmuxSession.line($0, startingWith: "f9")?.contains("no check") == true }
        let found = try await Tools.run("pgrep", ["-x", "-f", "\(binary) .*--node \(node) .*"]).output
        let pid = try #require(found.split(separator: "\n").compactMap { Int32($0) }.first)
        func writes() throws -> Int {
            let io = try String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8)
            let line = try #require(io.split(separator: "\n").first { $0.hasPrefix("syscw:") })
            return try #require(Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces)))
        }
        let before = try writes()
        try await Task.sleep(for: .seconds(3))
        let made = try writes() - before
        // About six frames, and the few writes by which the event loops wake
        // each other (56 here); a cursor move per row was 348.
        #expect(made < 150, "\(made) writes in 3 s at two frames a second")
        await tmux.send("q")
    }

    @Test func terminalTooSmallAndNoColor() async throws {
        let c = try await cluster()
        let binary = try SerftopBinary.path()
        let tmux = try await TmuxSession("\(binary) --join \(c.agents[0].gossipAddress) --bind 127.0.0.1:0", width: 60, height: 20,
                                         environment: ["LANG": "C", "NO_COLOR": "1"])
        defer { tmux.kill() }
        try await tmux.waitFor("the too-small notice") { $0.contains("at least 80") && $0.contains("60") }
        await tmux.resize(width: 100, height: 30)
        let screen = try await tmux.waitFor("the dashboard after growing") { $0.contains("GOSSIP") }
        #expect(screen.unicodeScalars.allSatisfy { $0.isASCII }, "no UTF-8 locale: ASCII only")
        await tmux.send("C-c")
        try await eventually("serftop to quit on Ctrl-C", timeout: 5) { await !tmux.capture().contains("GOSSIP") }
    }
}
