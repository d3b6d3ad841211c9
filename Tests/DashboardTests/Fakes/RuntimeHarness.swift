@testable import Dashboard
import Foundation
import HAProxy
import Serf
import TerminalUI
import TestSupport

/// A dashboard runtime on a memory screen over a fake cluster: one balancer
/// (ha) and two backends (s1, s2), with stats the test controls.
final class RuntimeHarness: Sendable {
    actor Flag {
        private(set) var isSet = false
        func set() { isSet = true }
    }

    let screen: MemoryScreen
    let source: FakeMembership
    let stats: FakeStats
    /// Only the stats-page route would use it, and the fake cluster never
    /// takes that route: its balancer answers queries.
    let scraper: StatsScraper
    let runtime: DashboardRuntime
    let stopped = Flag()

    private init(readOnly: Bool, sessions: [String: Int], snapshotDirectory: String?, refresh: Duration) {
        let screen = MemoryScreen(width: 100, height: 30)
        let source = FakeMembership([
            Member(name: "ha", address: "127.0.0.1", port: 7946, tags: ["role": "balancer"]),
            Member(name: "s1", address: "127.0.0.11", port: 7946, tags: ["role": "backend"]),
            Member(name: "s2", address: "127.0.0.12", port: 7946, tags: ["role": "backend"]),
        ])
        let stats = FakeStats(sessions: sessions)
        let scraper = StatsScraper()
        var settings = DashboardRuntime.Settings()
        settings.refresh = refresh
        settings.noColor = true
        settings.snapshotDirectory = snapshotDirectory
        runtime = DashboardRuntime(
            screen: screen, source: source, sourceDescription: "a fake cluster", balancers: [],
            stats: stats, executor: ActionExecutor(source: source, scraper: scraper), settings: settings,
            readOnly: readOnly, themes: ThemeLoader(directories: []), glyphs: .ascii)
        self.screen = screen
        self.source = source
        self.stats = stats
        self.scraper = scraper
    }

    /// Runs `body` against a running dashboard, and stops it afterwards
    /// however `body` ended.
    static func with(readOnly: Bool = false, sessions: [String: Int] = ["s1": 3, "s2": 0], snapshotDirectory: String? = nil,
                     refresh: Duration = .milliseconds(50), _ body: (RuntimeHarness) async throws -> Void) async throws {
        let h = RuntimeHarness(readOnly: readOnly, sessions: sessions, snapshotDirectory: snapshotDirectory, refresh: refresh)
        let runtime = h.runtime, stopped = h.stopped
        Task { await runtime.run(); await stopped.set() }
        var failure: (any Error)?
        do { try await body(h) } catch { failure = error }
        h.screen.stop()
        try? await eventually("the dashboard to stop", timeout: patience) { await stopped.isSet }
        await h.scraper.shutdown()
        if let failure { throw failure }
    }

    var text: String { screen.frame?.text ?? "" }

    func press(_ keys: Key...) { for k in keys { screen.send(k) } }

    func type(_ text: String) { for c in text { screen.send(.char(c)) } }

    /// Generous: the runtime shares two cores with every suite beside it,
    /// and waiting longer only costs time when something is wrong.
    static let patience: Double = 30

    func waitFor(_ what: String, _ condition: @escaping @Sendable (String) -> Bool) async throws {
        try await eventually(what, timeout: Self.patience) { condition(self.text) }
    }

    /// Filters the table down to one node, so that it is the selected one.
    func select(_ node: String) async throws {
        try await waitFor("\(node) on screen") { $0.contains(node) }
        press(.char("/"))
        type(node)
        press(.enter)
    }
}
