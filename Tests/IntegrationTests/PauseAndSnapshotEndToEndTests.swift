import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport

/// `p` and `x` in a real terminal, on a real cluster: what the operator sees
/// is what stays, and what is saved.
@Suite struct PauseAndSnapshotEndToEndTests {
    /// The screen as a terminal shows it: no trailing spaces, no empty lines at the end.
    static func normalized(_ screen: String) -> [String] {
        var lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var l = String(line)
            while l.last == " " { l.removeLast() }
            return l
        }
        while lines.last == "" { lines.removeLast() }
        return lines
    }

    func dashboard(_ c: DashboardCluster, snapshots: String) async throws -> TmuxSession {
        let binary = try SerftopBinary.path()
        let node = "e2e-obs-\(UUID().uuidString.prefix(6))"
        let tmux = try await TmuxSession("\(binary) --join \(c.agents[0].gossipAddress) --bind 127.0.0.1:0 --node \(node) "
            + "--refresh 0.5 --snapshot-dir \(snapshots)", environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        try await tmux.waitFor("both servers UP and every member alive") { s in
            ["e2e-s1", "e2e-s2"].allSatisfy { TmuxSession.line(s, startingWith: $0).map { $0.contains("alive") && $0.contains("UP") } ?? false }
        }
        return tmux
    }

    @Test func pauseHoldsTheRowsWhileANodeFailsThenResumeShowsIt() async throws {
        let c = try await DashboardCluster.start()
        let tmux = try await dashboard(c, snapshots: TemporaryDirectory.shared.make("pause").path)
        defer { tmux.kill() }

        await tmux.send("p")
        let held = try await tmux.waitFor("the PAUSED mark") { $0.contains("PAUSED") }
        c.agents[2].crash()
        try await eventually("the cluster to see e2e-s2 failed", timeout: 30) { await c.agents[0].status(of: "e2e-s2") == "failed" }
        // Long enough for the failure to reach the dashboard and a few refreshes to pass.
        try await Task.sleep(for: .seconds(3))
        let screen = await tmux.capture()
        #expect(TmuxSession.line(screen, startingWith: "e2e-s2")?.contains("alive") == true, "\(screen)")
        #expect(screen == held, "a paused screen stands still")

        await tmux.send("p")
        try await tmux.waitFor("e2e-s2 failed at once after resuming", timeout: 3) {
            !$0.contains("PAUSED") && TmuxSession.line($0, startingWith: "e2e-s2")?.contains("failed") == true
        }
        await tmux.send("q")
    }

    @Test func snapshotKeySavesWhatTheTerminalShows() async throws {
        let c = try await DashboardCluster.start()
        let dir = TemporaryDirectory.shared.make("snapshot-key").path
        let tmux = try await dashboard(c, snapshots: dir)
        defer { tmux.kill() }

        // Paused, so that nothing changes between looking and pressing `x`.
        await tmux.send("p")
        let shown = try await tmux.waitFor("the PAUSED mark") { $0.contains("PAUSED") }
        await tmux.send("x")
        try await tmux.waitFor("where the snapshot went") { $0.contains("snapshot saved: ") }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        try #require(files.count == 2, "\(files)")
        #expect(files[0].range(of: #"^serftop-\d{8}-\d{6}\.svg$"#, options: .regularExpression) != nil, "\(files)")
        let text = try String(contentsOfFile: "\(dir)/\(files[1])", encoding: .utf8)
        #expect(Self.normalized(text) == Self.normalized(shown))
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(files[0])")))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")

        // A second one in the same second does not overwrite the first.
        await tmux.send("x", "x")
        try await eventually("four more files", timeout: 5) {
            (try? FileManager.default.contentsOfDirectory(atPath: dir).count) == 6
        }
        #expect(try String(contentsOfFile: "\(dir)/\(files[1])", encoding: .utf8) == text)
        await tmux.send("q")
    }
}
