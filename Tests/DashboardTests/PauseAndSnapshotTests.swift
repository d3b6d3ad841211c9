@testable import Dashboard
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TerminalUI
import TestSupport

/// `p` holds the view still while the data keeps coming; `x` saves what is
/// on screen. One at a time: each runs a whole runtime at 20 refreshes a
/// second, and a busy machine must not make them late.
@Suite(.serialized) struct PauseAndSnapshotTests {
    /// The SESS column of a node's row.
    static func sessions(_ screen: String, _ node: String) -> String? {
        let words = screen.split(separator: "\n").first { $0.hasPrefix(" \(node) ") }?.split(separator: " ")
        return words.flatMap { $0.count > 6 ? String($0[6]) : nil }
    }

    @Test func pauseHoldsTheRowsWhileTheDataChangesAndResumeShowsItAtOnce() async throws {
        try await RuntimeHarness.with(sessions: ["s1": 3, "s2": 0]) { h in
            try await h.waitFor("s1 with 3 sessions") { Self.sessions($0, "s1") == "3" }
            h.press(.char("p"))
            try await h.waitFor("the PAUSED mark") { $0.contains("PAUSED") }
            let held = h.text
            let frames = h.screen.framesPresented
            h.stats.set("s1", sessions: 7)
            // Refreshes every 50 ms: many scrapes come in, none shows.
            try await eventually("more frames", timeout: RuntimeHarness.patience) { h.screen.framesPresented > frames + 5 }
            #expect(h.text == held, "a paused frame stands still, ages included")
            // Keys still work on the frozen rows.
            h.press(.char("s"))
            try await h.waitFor("the next sort") { $0.contains("ADDRESSv") }
            #expect(Self.sessions(h.text, "s1") == "3")
            h.press(.char("p"))
            try await h.waitFor("the current data after resuming") { Self.sessions($0, "s1") == "7" && !$0.contains("PAUSED") }
        }
    }

    @Test func thePausedMarkStandsOutEarlyInTheHeader() throws {
        var state = DashboardState()
        state.paused = true
        let frame = DashboardView(glyphs: .unicode).render(try Fixture.model(), state, width: 80, height: 24, now: Fixture.now)
        #expect(frame.line(0).hasPrefix(" serftop  PAUSED  cluster:"))
        #expect((10 ..< 16).allSatisfy { frame[$0, 0].role == .warning })
        #expect(frame[9, 0].role == .header && frame[16, 0].role == .header)
    }

    @Test func pauseIsAllowedWhenReadOnly() async throws {
        try await RuntimeHarness.with(readOnly: true) { h in
            try await h.waitFor("s1 on screen") { $0.contains("s1") }
            h.press(.char("p"))
            try await h.waitFor("the PAUSED mark") { $0.contains("PAUSED") }
            #expect(!h.text.contains("read-only: actions are disabled"))
        }
    }

    @Test func snapshotSavesTheScreenAsItIsAndSaysWhere() async throws {
        let dir = TemporaryDirectory.shared.make("snapshots").path
        try await RuntimeHarness.with(snapshotDirectory: dir) { h in
            try await h.waitFor("s1 on screen") { Self.sessions($0, "s1") == "3" }
            // Paused, so that the screen cannot change between reading it and `x`.
            h.press(.char("p"))
            try await h.waitFor("the PAUSED mark") { $0.contains("PAUSED") }
            let lines = try #require(h.screen.frame).text
            h.press(.char("x"))
            try await h.waitFor("where it was saved") { $0.contains("snapshot saved: \(dir.prefix(20))") }
            let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
            #expect(files.count == 2 && files[0].hasSuffix(".svg") && files[1].hasSuffix(".txt"), "\(files)")
            let text = try String(contentsOfFile: dir + "/" + files[1], encoding: .utf8)
            #expect(text == lines + "\n")
            let svg = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + files[0]))
            #expect(XMLParser(data: svg).parse())
        }
    }

    @Test func snapshotSaysWhyItCouldNotSave() async throws {
        try await RuntimeHarness.with(snapshotDirectory: "/nonexistent/serftop-snapshots") { h in
            try await h.waitFor("s1 on screen") { $0.contains("s1") }
            h.press(.char("x"))
            try await h.waitFor("the reason") { $0.contains("snapshot not saved") && $0.contains("No such file") }
        }
    }
}
