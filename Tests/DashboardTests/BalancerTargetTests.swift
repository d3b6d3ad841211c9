@testable import Dashboard
import Foundation
import BalancerContract
import HAProxy
import Serf
import Testing

/// In a node's details, `b` chooses one balancer for d, r, m and D; the action
/// then goes to that balancer alone, by a Serf query filtered to its member.
@Suite struct BalancerTargetTests {
    func model() throws -> ClusterModel {
        try Fixture.twoBalancers(backend: "s1", ha: [("s1", "UP", 0, 1)], ha2: [("s1", "UP", 0, 1)])
    }

    func context(_ model: ClusterModel) -> DashboardState.Context {
        DashboardState.Context(rows: model.rows(), layout: DashboardLayout(width: 120, height: 30, showEvents: true),
                               canProvision: false, nextNodeName: "web9", balancers: model.balancers.map(\.label).sorted())
    }

    /// s1's details open.
    func inDetails(_ c: DashboardState.Context, readOnly: Bool = false) -> DashboardState {
        var state = DashboardState(readOnly: readOnly)
        state.selected = "s1"
        _ = state.handle(.enter, context: c)
        return state
    }

    @Test func bCyclesOneBalancerAtATimeThenAll() throws {
        let m = try model()
        let c = context(m)
        var state = inDetails(c)
        #expect(state.mode == .details(node: "s1", scroll: 0))
        let labels = c.balancers
        #expect(labels.count == 2)
        _ = state.handle(.char("b"), context: c)
        #expect(state.actOn == labels[0])
        _ = state.handle(.char("b"), context: c)
        #expect(state.actOn == labels[1])
        _ = state.handle(.char("b"), context: c)
        #expect(state.actOn == nil, "then every balancer again")
        _ = state.handle(.char("b"), context: c)
        let pane = DashboardView(glyphs: .unicode).render(m, state, width: 120, height: 30, now: Fixture.now).text
        #expect(pane.contains("actions  d r m D act on \(labels[0]) only (b: the next)"), "\(pane)")
        _ = state.handle(.escape, context: c)
        #expect(state.actOn == nil, "forgotten with the details")
    }

    @Test func aDrainOnOneBalancerIsConfirmedAndRoutedToItsMemberAlone() throws {
        let m = try model()
        let c = context(m)
        var state = inDetails(c)
        _ = state.handle(.char("b"), context: c)
        _ = state.handle(.char("b"), context: c)
        let chosen = try #require(state.actOn)
        _ = state.handle(.char("d"), context: c)
        guard case .confirm(let action, let question) = state.mode else { Issue.record("no confirmation: \(state.mode)"); return }
        #expect(action == .serverOn(.drain, node: "s1", balancer: chosen))
        #expect(question.hasSuffix("On \(chosen) only."), "\(question)")
        #expect(state.handle(.char("y"), context: c) == [.perform(action)])

        let member = try #require(m.balancers.first { $0.label == chosen }?.memberName)
        #expect(ActionRouting().routes(for: action, in: m) == [.serfQueryTo(.server(ServerQuery(.drain, server: "s1")), member: member)])
        // Without gossip, the chosen balancer's stats page alone.
        var noSerf = ActionRouting()
        noSerf.serfQueries = false
        let pages = noSerf.routes(for: action, in: m)
        #expect(pages.count == 1)
        guard case .statsPage(let endpoint, _, .drain)? = pages.first else { Issue.record("\(pages)"); return }
        #expect(endpoint == m.balancers.first { $0.label == chosen }?.endpoint)
    }

    /// `D` follows the choice too: drained on that balancer, and (by
    /// DrainThenMaintTests) put in maint there once its sessions there end.
    @Test func drainThenMaintOnOneBalancer() throws {
        let m = try model()
        let c = context(m)
        var state = inDetails(c)
        _ = state.handle(.char("b"), context: c)
        let chosen = try #require(state.actOn)
        _ = state.handle(.char("D"), context: c)
        guard case .confirm(let action, let question) = state.mode else { Issue.record("no confirmation: \(state.mode)"); return }
        #expect(action == .drainThenMaint(node: "s1", balancer: chosen))
        #expect(question.hasSuffix("On \(chosen) only."), "\(question)")
        let member = try #require(m.balancers.first { $0.label == chosen }?.memberName)
        #expect(ActionRouting().routes(for: action, in: m) == [.serfQueryTo(.server(ServerQuery(.drain, server: "s1")), member: member)])
    }

    @Test func withoutAChoiceEveryBalancerIsAsked() throws {
        let m = try model()
        let c = context(m)
        var state = inDetails(c)
        _ = state.handle(.char("m"), context: c)
        guard case .confirm(let action, _) = state.mode else { Issue.record("no confirmation: \(state.mode)"); return }
        #expect(action == .server(.maint, node: "s1"))
    }

    @Test func readOnlyRefusesInTheDetailsToo() throws {
        let m = try model()
        let c = context(m)
        var state = inDetails(c, readOnly: true)
        _ = state.handle(.char("d"), context: c)
        #expect(state.mode == .details(node: "s1", scroll: 0))
        #expect(state.notice?.contains("read-only") == true)
    }
}
