@testable import Dashboard
import Foundation
import HAProxy
import Serf
import Testing

/// `D`: drain, then maint once the node's sessions reach 0, decided by the
/// state from what the runtime reports.
@Suite struct DrainThenMaintTests {
    /// The rows once the balancer reports `sessions` on s3 (nil: no stats yet).
    func rows(s3 sessions: Int?) throws -> [NodeRow] {
        var model = ClusterModel()
        model.setMembers([Member(name: "ha", address: "192.168.42.42", port: 7946, tags: ["role": "balancer"]),
                          Member(name: "s3", address: "192.168.42.13", port: 7946, tags: ["role": "backend"])], at: Fixture.now)
        model.balancers = [BalancerState(endpoint: try StatsEndpoint("192.168.42.42"), memberName: "ha")]
        if let sessions {
            let csv = Fixture.csv([("s3", "DRAIN", sessions, 0)])
            model.recordScrape(.success(try StatsCSVParser.parse(csv)), for: model.balancers[0].endpoint, at: Fixture.now)
        }
        return model.rows()
    }

    @Test func aDrainThatWentThroughIsWatched() {
        var state = DashboardState()
        #expect(state.finished(.drainThenMaint(node: "s3"), succeeded: true).isEmpty)
        #expect(state.draining == [DrainTarget("s3"): .drained])
    }

    @Test func aDrainThatFailedLeadsToNoMaint() {
        var state = DashboardState()
        #expect(state.finished(.drainThenMaint(node: "s3"), succeeded: false)
            == [.log(.failure, "s3: not draining, so no maint either")])
        #expect(state.draining.isEmpty)
    }

    @Test func otherActionsStartNothing() {
        var state = DashboardState()
        for action: ClusterAction in [.server(.drain, node: "s3"), .server(.maint, node: "s3"), .reload] {
            #expect(state.finished(action, succeeded: true).isEmpty)
        }
        #expect(state.draining.isEmpty)
    }

    @Test func sessionsCountDownThenMaint() throws {
        var state = DashboardState()
        _ = state.finished(.drainThenMaint(node: "s3"), succeeded: true)
        #expect(state.scraped(try rows(s3: nil)).isEmpty, "no stats yet: it waits")
        #expect(state.draining == [DrainTarget("s3"): .drained])
        #expect(state.scraped(try rows(s3: 3)) == [.log(.info, "s3: draining, 3 sessions left")])
        #expect(state.draining == [DrainTarget("s3"): .sessions(3)])
        #expect(state.scraped(try rows(s3: 3)).isEmpty, "the same count is not said twice")
        #expect(state.scraped(try rows(s3: 1)) == [.log(.info, "s3: draining, 1 session left")])
        #expect(state.scraped(try rows(s3: 0)) == [.log(.info, "s3: no sessions left, setting maint"),
                                                    .perform(.server(.maint, node: "s3"))])
        #expect(state.draining.isEmpty)
        #expect(state.scraped(try rows(s3: 0)).isEmpty, "maint is asked once")
    }

    /// Two balancers, s3 with `onHA` sessions on ha and `onHA2` on ha2.
    func rows(onHA: Int, onHA2: Int) throws -> (rows: [NodeRow], labels: [String]) {
        let model = try Fixture.twoBalancers(backend: "s3", ha: [("s3", "DRAIN", onHA, 0)], ha2: [("s3", "DRAIN", onHA2, 0)])
        return (model.rows(), model.balancers.map(\.label))
    }

    /// `D` on one balancer (chosen with `b`) counts that balancer's
    /// sessions only, and puts the server in maint there alone.
    @Test func onOneBalancerItsSessionsAloneCountAndMaintGoesThere() throws {
        let (rows, labels) = try rows(onHA: 0, onHA2: 4)
        var waiting = DashboardState()
        _ = waiting.finished(.drainThenMaint(node: "s3", balancer: labels[1]), succeeded: true)
        #expect(waiting.scraped(rows) == [.log(.info, "s3: draining on \(labels[1]), 4 sessions left")])
        #expect(waiting.draining == [DrainTarget("s3", on: labels[1]): .sessions(4)])

        var done = DashboardState()
        _ = done.finished(.drainThenMaint(node: "s3", balancer: labels[0]), succeeded: true)
        #expect(done.scraped(rows) == [.log(.info, "s3: no sessions left on \(labels[0]), setting maint"),
                                       .perform(.serverOn(.maint, node: "s3", balancer: labels[0]))])

        var everywhere = DashboardState()
        _ = everywhere.finished(.drainThenMaint(node: "s3"), succeeded: true)
        #expect(everywhere.scraped(rows) == [.log(.info, "s3: draining, 4 sessions left")], "every balancer: 0 + 4")

        // One balancer, then the other: each is watched, neither forgotten.
        var inTurn = DashboardState()
        _ = inTurn.finished(.drainThenMaint(node: "s3", balancer: labels[1]), succeeded: true)
        _ = inTurn.finished(.drainThenMaint(node: "s3", balancer: labels[0]), succeeded: true)
        let effects = inTurn.scraped(rows)
        #expect(effects.count == 3, "\(effects)")
        #expect(effects.contains(.perform(.serverOn(.maint, node: "s3", balancer: labels[0]))), "\(effects)")
        #expect(effects.contains(.log(.info, "s3: draining on \(labels[1]), 4 sessions left")), "\(effects)")
        #expect(inTurn.draining == [DrainTarget("s3", on: labels[1]): .sessions(4)])
    }

    @Test func aNodeWithoutSessionsAtItsFirstScrapeGoesToMaintAtOnce() throws {
        var state = DashboardState()
        _ = state.finished(.drainThenMaint(node: "s3"), succeeded: true)
        #expect(state.scraped(try rows(s3: 0)).last == .perform(.server(.maint, node: "s3")))
    }
}
