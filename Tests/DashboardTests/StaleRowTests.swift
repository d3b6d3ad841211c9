@testable import Dashboard
import Foundation
import HAProxy
import Testing
import TerminalUI

/// A balancer that stops answering leaves its last figures on screen: they
/// are drawn dim with their age, not as if current.
@Suite struct StaleRowTests {
    @Test func rowsOfABalancerThatDidNotAnswerAreStale() throws {
        var model = try Fixture.model()
        #expect(model.rows().allSatisfy { $0.staleSince == nil })
        let later = Fixture.now.addingTimeInterval(12)
        model.recordScrape(.failure(.unreachable(what: "stats", address: "192.168.42.42:1936", reason: "connection refused")), for: model.balancers[0].endpoint, at: later)
        let rows = Dictionary(uniqueKeysWithValues: model.rows().map { ($0.name, $0) })
        #expect(rows["s1"]?.staleSince == Fixture.now)
        #expect(rows["s9"]?.staleSince == nil, "no server row, nothing stale")

        let view = DashboardView(glyphs: .unicode)
        let screen = MemoryScreen(width: 120, height: 30)
        screen.present(view.render(model, DashboardState(), width: 120, height: 30, now: later), theme: .monochrome)
        let grid = try #require(screen.frame)
        let y = try #require((0 ..< grid.height).first { grid.line($0).hasPrefix(" s3 ") })
        #expect(grid.line(y).contains("DRAIN") && grid.line(y).contains(" 12s old "), "\(grid.line(y))")
        #expect(grid[1, y].role == .dim && grid[40, y].role == .dim)

        model.recordScrape(.success(try StatsCSVParser.parse(Fixture.csv([("s1", "UP", 1, 1)]))),
                           for: model.balancers[0].endpoint, at: later)
        #expect(model.rows().allSatisfy { $0.staleSince == nil })
    }
}
