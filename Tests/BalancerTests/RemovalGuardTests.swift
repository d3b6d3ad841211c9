@testable import Balancer
import HAProxy
import Testing

@Suite struct RemovalGuardTests {
    static func servers(_ names: String...) -> [BackendServer] {
        names.map { BackendServer(name: try! HAProxyName($0), address: "10.0.0.1", port: 3000) }
    }

    @Test func absenceProvesNothingUntilTheAgentHasBeenJoinedForTheGrace() {
        var g = RemovalGuard(absenceGrace: .seconds(60), maxRemovedShare: 1, holdRelease: .seconds(30))
        let t0 = ContinuousClock.now
        g.connected()
        g.observe(aliveMembers: 1, at: t0)
        #expect(!g.trustsAbsence(at: t0 + .seconds(600)), "an agent alone knows nothing of the others")
        g.observe(aliveMembers: 2, at: t0 + .seconds(5))
        #expect(!g.trustsAbsence(at: t0 + .seconds(30)))
        #expect(g.trustsAbsence(at: t0 + .seconds(66)))
        g.connected()
        #expect(!g.trustsAbsence(at: t0 + .seconds(700)), "a new connection may be a new agent")
    }

    @Test func aRenderThatEmptiesTheBackendIsHeldUntilTheViewHoldsOrItIsForced() {
        var g = RemovalGuard(absenceGrace: .seconds(60), maxRemovedShare: 1, holdRelease: .seconds(30))
        let t0 = ContinuousClock.now
        let installed = Self.servers("a", "b", "c")
        #expect(g.check(Self.servers("a"), replacing: installed, force: false, at: t0) == .proceed)
        #expect(g.check([], replacing: installed, force: false, at: t0) == .hold(removing: 3, of: 3, firstTime: true))
        #expect(g.check([], replacing: installed, force: false, at: t0 + .seconds(10)) == .hold(removing: 3, of: 3, firstTime: false))
        #expect(g.check([], replacing: installed, force: false, at: t0 + .seconds(31)) == .proceed)
        #expect(g.check([], replacing: installed, force: true, at: t0) == .proceed)
        #expect(!g.allowsParking(["a", "b", "c"], of: installed))
        #expect(g.allowsParking(["a"], of: installed))
    }

    @Test func aLowerShareHoldsSmallerCuts() {
        var g = RemovalGuard(absenceGrace: .seconds(60), maxRemovedShare: 0.5, holdRelease: .seconds(30))
        let installed = Self.servers("a", "b", "c", "d")
        #expect(g.check(Self.servers("a", "b", "c"), replacing: installed, force: false, at: .now) == .proceed)
        #expect(g.check(Self.servers("a", "b"), replacing: installed, force: false, at: .now) == .hold(removing: 2, of: 4, firstTime: true))
    }
}
