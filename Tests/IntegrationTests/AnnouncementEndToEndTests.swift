import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension DemoTopologyTests {
    /// What one balancer does reaches every dashboard: a second dashboard,
    /// which asked for nothing, shows the reload a new node caused, the
    /// member's history, and marks rows stale once HAProxy stops answering.
    @Suite(.serialized) struct AnnouncementEndToEndTests {
        @Test func aReloadShowsOnAnotherDashboardAndAHaltedHAProxyMakesRowsStale() async throws {
            let demo = try await DemoInstance(nodes: 1)
            defer { demo.stop() }
            let binary = try SerftopBinary.path()
            let command = "\(binary) --join \(demo.endpoints.gossip) --bind 127.0.0.1:0 --node watcher --read-only --refresh 0.5"
            let tmux = try await TmuxSession(command, width: 140, height: 40,
                                             environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
            defer { tmux.kill() }
            // And one that reads the balancer's own agent over RPC.
            let viaAgent = try await TmuxSession("\(binary) --rpc \(demo.endpoints.rpc) --read-only --refresh 0.5",
                                                 width: 140, height: 40,
                                                 environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
            defer { viaAgent.kill() }
            for t in [tmux, viaAgent] {
                try await t.waitFor("web1 alive and UP", timeout: 30) {
                    TmuxSession.line($0, startingWith: "web1").map { $0.contains("alive") && $0.contains("UP") } ?? false
                }
            }

            let app = try WebApp("extra1")
            defer { app.stop() }
            try await app.waitUntilServing()
            try app.join(demo.endpoints.gossip)
            let screen = try await tmux.waitFor("the balancer's reload for extra1", timeout: 30) {
                $0.contains("balancer ha updated, no reload: 2 servers, +extra1")
            }
            #expect(!screen.contains("unreadable announcement"), "\(screen)")
            try await viaAgent.waitFor("the reload through the agent", timeout: 10) {
                $0.contains("balancer ha updated, no reload: 2 servers, +extra1")
            }
            await viaAgent.send("/")
            await viaAgent.send("-l", "web1")
            await viaAgent.send("Enter")
            await viaAgent.send("Enter")
            try await viaAgent.waitFor("web1's history from member events") {
                $0.contains("history  no round trip") && $0.contains("member events only")
            }

            // The details pane has the member's history.
            await tmux.send("/")
            await tmux.send("-l", "web1")
            await tmux.send("Enter")
            await tmux.send("Enter")
            let details = try await tmux.waitFor("web1's history") { $0.contains("history  no round trip") && $0.contains("alive") }
            #expect(!details.contains("member events only"), "serftop's own member knows more: \(details)")
            await tmux.send("Escape")

            // HAProxy halted: the stats page stops answering, and web1's
            // figures are marked with their age.
            let masters = try await Tools.run("pgrep", ["-P", "\(demo.daemon.pid)", "-x", "haproxy"])
                .output.split(separator: "\n").compactMap { Int32($0) }
            let master = try #require(masters.first)
            let workers = try await Tools.run("pgrep", ["-P", "\(master)"]).output.split(separator: "\n").compactMap { Int32($0) }
            let halted = [master] + workers
            for pid in halted { kill(pid, SIGSTOP) }
            defer { for pid in halted { kill(pid, SIGCONT) } }
            let stale = try await tmux.waitFor("web1 marked stale", timeout: 30) {
                TmuxSession.line($0, startingWith: "web1").map { $0.contains("UP") && $0.contains("s old ") } ?? false
            }
            #expect(stale.contains("haproxy ha ✗"), "\(stale)")
        }
    }
}
