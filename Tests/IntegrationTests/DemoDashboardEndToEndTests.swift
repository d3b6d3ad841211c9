import Foundation
import Testing
import TestSupport

extension DemoTopologyTests {
    /// `serftop demo` as a user meets it: the dashboard in a real terminal on the
    /// demo cluster; `a` starts a real web app; quitting stops everything.
    @Suite(.serialized) struct DemoDashboardEndToEndTests {
        @Test func addANodeFromTheDashboardThenQuitAndLeaveNothingBehind() async throws {
            let binary = try SerftopBinary.path()
            let dir = TemporaryDirectory.shared.make("demo-tui").appendingPathComponent("demo").path
            let command = "\(binary) demo --nodes 1 --dir \(dir) --refresh 0.5; echo DEMO-EXITED $?; sleep 60"
            let tmux = try await TmuxSession(command, environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
            defer { tmux.kill() }

            try await tmux.waitFor("web1 alive and UP", timeout: 60) {
                TmuxSession.line($0, startingWith: "web1").map { $0.contains("alive") && $0.contains("UP") } ?? false
            }
            let demoPID = try #require(Int32(try await Tools.run("pgrep", ["-f", "^\(binary) demo --nodes 1 --dir \(dir)"])
                .output.split(separator: "\n").first ?? ""))
            await tmux.send("a")
            try await tmux.waitFor("the confirmation") { $0.contains("Add node web2?") }
            await tmux.send("y")
            let screen = try await tmux.waitFor("web2 alive and UP behind haproxy", timeout: 30) {
                TmuxSession.line($0, startingWith: "web2").map { $0.contains("alive") && $0.contains("UP") } ?? false
            }
            #expect(screen.contains("started web2"))
            let config = try String(contentsOfFile: dir + "/haproxy.cfg", encoding: .utf8)
            #expect(config.contains("server web2 127.0.0.1:"))

            // A drain from the demo's dashboard goes to the balancer as a
            // query signed with the demo's own key, and is carried out.
            await tmux.send("/")
            await tmux.send("web1")
            await tmux.send("Enter")
            await tmux.send("d")
            try await tmux.waitFor("the drain confirmation") { $0.contains("web1") && $0.contains("y: yes") }
            await tmux.send("y")
            let drained = try await tmux.waitFor("web1 in DRAIN", timeout: 20) {
                TmuxSession.line($0, startingWith: "web1").map { $0.contains("DRAIN") } ?? false
            }
            #expect(!drained.contains("not authorised"), "\(drained)")
            await tmux.send("Escape")

            let children = try await Tools.run("pgrep", ["-P", "\(demoPID)"]).output.split(separator: "\n").compactMap { Int32($0) }
            #expect(children.count >= 7, "ha agent, haproxy, balancer, 2 × (app + agent): \(children)")
            await tmux.send("q")
            try await tmux.waitFor("the demo to exit", timeout: 30) { $0.contains("DEMO-EXITED 0") }
            for pid in children + [demoPID] { #expect(kill(pid, 0) != 0, "pid \(pid) is still running") }
            #expect(!FileManager.default.fileExists(atPath: dir))
        }
    }
}
