@testable import Memberlist
import Testing

/// Anti-entropy: merging a peer's full state (memberlist's mergeState and
/// verifyProtocol) and answering a push/pull.
@Suite struct PushPullRuleTests {
    typealias Sim = RuleSim

    func merge(_ sim: inout Sim, _ states: [PushNodeState]) throws(IncompatibleProtocol) {
        let step = try sim.ml.mergeRemoteState(PushPull(join: false, nodes: states, userState: []), now: sim.now)
        sim.collect(step)
    }

    static let stranger = PushNodeState(name: "n09", addr: [10, 0, 0, 9], port: 7946, meta: [], incarnation: 4,
                                        state: .alive, vsn: ProtocolVersions.serfAgent.bytes)

    @Test func unknownAliveNodesJoin() throws {
        var sim = Sim(peers: ["n02"])
        try merge(&sim, [Self.stranger])
        #expect(sim.state("n09") == .alive)
        #expect(sim.incarnation("n09") == 4)
        #expect(sim.ml.nodes["n09"]?.info.endpoint == Endpoint(ip: [10, 0, 0, 9], port: 7946))
        #expect(sim.ml.delegate.joins == ["n09"])
    }

    @Test func aNewerIncarnationWins() throws {
        var sim = Sim(peers: ["n02"])
        try merge(&sim, [sim.pushState("n02", incarnation: 5, state: .alive, meta: [7])])
        #expect(sim.incarnation("n02") == 5)
        #expect(sim.ml.nodes["n02"]?.info.meta == [7])
        #expect(sim.ml.delegate.updates == ["n02"])
        #expect(sim.queued == [.alive(sim.alive("n02", incarnation: 5, meta: [7]))])
    }

    @Test func anOlderOrEqualIncarnationIsIgnored() throws {
        var sim = Sim(peers: ["n02"])
        sim.receive(.alive(sim.alive("n02", incarnation: 5, meta: [1])), from: "n02")
        sim.ml.broadcasts = BroadcastQueue()
        sim.ml.delegate = RecordingDelegate()
        try merge(&sim, [sim.pushState("n02", incarnation: 4, state: .alive, meta: [2]),
                         sim.pushState("n02", incarnation: 5, state: .alive, meta: [3])])
        #expect(sim.incarnation("n02") == 5)
        #expect(sim.ml.nodes["n02"]?.info.meta == [1])
        #expect(sim.ml.delegate.updates.isEmpty)
        #expect(sim.queued.isEmpty)
    }

    @Test func aRemoteSuspicionBecomesOurOwn() throws {
        var sim = Sim(peerCount: 9)
        try merge(&sim, [sim.pushState("n02", incarnation: 1, state: .suspect)])
        #expect(sim.state("n02") == .suspect)
        #expect(sim.ml.suspicions["n02"] != nil)
        #expect(sim.queued == [.suspect(Suspect(incarnation: 1, node: "n02", from: Sim.me))])
    }

    @Test func aRemoteDeathIsOnlySuspected() throws {
        var sim = Sim(peerCount: 9)
        try merge(&sim, [sim.pushState("n02", incarnation: 1, state: .dead)])
        #expect(sim.state("n02") == .suspect)
        #expect(sim.ml.delegate.leaves.isEmpty)
        #expect(sim.queued == [.suspect(Suspect(incarnation: 1, node: "n02", from: Sim.me))])
    }

    @Test func aRemoteSuspicionOfAnOlderIncarnationIsIgnored() throws {
        var sim = Sim(peers: ["n02"])
        sim.receive(.alive(sim.alive("n02", incarnation: 3)), from: "n02")
        sim.ml.broadcasts = BroadcastQueue()
        try merge(&sim, [sim.pushState("n02", incarnation: 2, state: .suspect),
                         sim.pushState("n02", incarnation: 2, state: .dead)])
        #expect(sim.state("n02") == .alive)
        #expect(sim.queued.isEmpty)
    }

    @Test func aRemoteLeaveIsALeave() throws {
        var sim = Sim(peers: ["n02"])
        try merge(&sim, [sim.pushState("n02", incarnation: 1, state: .left)])
        #expect(sim.state("n02") == .left)
        #expect(sim.ml.delegate.leaves == ["n02"])
        #expect(sim.queued == [.dead(Dead(incarnation: 1, node: "n02", from: "n02"))])
    }

    @Test func aRemoteViewOfUsAsSuspectIsRefuted() throws {
        var sim = Sim(peers: ["n02"])
        try merge(&sim, [sim.pushState(Sim.me, incarnation: 1, state: .suspect)])
        #expect(sim.ml.incarnation == 2)
        #expect(sim.state(Sim.me) == .alive)
        #expect(sim.queued.first?.alive?.incarnation == 2)
    }

    @Test func aStateWithAnIncompatibleVersionIsRefusedWhole() {
        var sim = Sim(peers: ["n02"])
        var tooNew = sim.pushState("n02", incarnation: 9, state: .alive)
        tooNew.vsn = [1, 9, 9, 2, 5, 5]
        #expect(throws: IncompatibleProtocol.self) {
            try merge(&sim, [sim.pushState("n02", incarnation: 8, state: .alive, meta: [1]), tooNew])
        }
        #expect(sim.ml.counters.incompatibleMerges == 1)
        #expect(sim.incarnation("n02") == 1)
    }

    @Test func aPushPullIsAnsweredWithOurStateBeforeTheirsIsMerged() throws {
        var sim = Sim(peers: ["n02"])
        let remote = PushPull(join: true, nodes: [Self.stranger], userState: [])
        let (reply, step) = sim.ml.receiveStream(.pushPull(remote), from: sim.endpoint("n02"), now: sim.now)
        sim.collect(step)
        guard case .pushPull(let ours) = reply else {
            Issue.record("no push/pull reply: \(String(describing: reply))")
            return
        }
        #expect(ours.nodes.map(\.name) == [Sim.me, "n02"])
        #expect(ours.nodes.allSatisfy { $0.state == .alive && $0.incarnation == 1 })
        #expect(sim.state("n09") == .alive)
    }

    @Test func periodicPushPullGoesToOneAliveMember() {
        var sim = Sim(peers: ["n02", "n03"])
        sim.answering = ["n02", "n03"]
        sim.receive(.dead(Dead(incarnation: 1, node: "n03", from: "n02")), from: "n02")
        sim.ml.nextPushPullAt = sim.now + .seconds(1)
        sim.advance(by: .seconds(91))
        // 30 s apart: at +1, +31, +61 and +91.
        #expect(sim.otherEffects.filter { if case .pushPull = $0 { return true }; return false }
            == Array(repeating: .pushPull(to: sim.endpoint("n02"), join: false), count: 4))
    }
}
