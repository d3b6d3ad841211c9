@testable import Memberlist
import Testing

/// What we do when others talk about us: memberlist's refute, and the
/// isLocalNode branches of aliveNode, suspectNode and deadNode.
@Suite struct RefutationRuleTests {
    typealias Sim = RuleSim

    func ourAlive(_ sim: Sim, incarnation: UInt32) -> Message {
        .alive(Alive(incarnation: incarnation, node: Sim.me, addr: Sim.myEndpoint.ip, port: Sim.myEndpoint.port,
                     meta: [], vsn: ProtocolVersions.serfAgent.bytes))
    }

    @Test func aSuspicionAboutUsIsRefutedWithTheNextIncarnation() {
        var sim = Sim(peers: ["n02", "n03"])
        #expect(sim.ml.incarnation == 1)
        sim.receive(.suspect(Suspect(incarnation: 1, node: Sim.me, from: "n02")), from: "n02")

        #expect(sim.ml.incarnation == 2)
        #expect(sim.incarnation(Sim.me) == 2)
        #expect(sim.state(Sim.me) == .alive)
        #expect(sim.ml.suspicions[Sim.me] == nil)
        #expect(sim.queued == [ourAlive(sim, incarnation: 2)])
        // Being accused is a sign our own link may be bad.
        #expect(sim.ml.awareness == 1)

        sim.advance(by: .seconds(1))
        #expect(sim.sentMessages.contains { $0.message == ourAlive(sim, incarnation: 2) })
    }

    @Test func anAccusationAboveOurIncarnationIsOutbid() {
        var sim = Sim(peers: ["n02"])
        sim.receive(.suspect(Suspect(incarnation: 9, node: Sim.me, from: "n02")), from: "n02")
        #expect(sim.ml.incarnation == 10)
        #expect(sim.queued == [ourAlive(sim, incarnation: 10)])
    }

    @Test func aDeathNoticeAboutUsIsRefuted() {
        var sim = Sim(peers: ["n02"])
        sim.receive(.dead(Dead(incarnation: 1, node: Sim.me, from: "n02")), from: "n02")
        #expect(sim.ml.incarnation == 2)
        #expect(sim.state(Sim.me) == .alive)
        #expect(sim.queued == [ourAlive(sim, incarnation: 2)])
        #expect(sim.ml.delegate.leaves.isEmpty)
    }

    @Test func anAliveAboutUsThatDoesNotMatchUsIsRefuted() {
        var sim = Sim(peers: ["n02"])
        // Exactly us: nothing to do.
        sim.receive(.alive(sim.alive(Sim.me, incarnation: 1)), from: "n02")
        #expect(sim.ml.incarnation == 1)
        #expect(sim.queued.isEmpty)

        // Same incarnation, other metadata: a previous life of ours.
        sim.receive(.alive(sim.alive(Sim.me, incarnation: 1, meta: [9])), from: "n02")
        #expect(sim.ml.incarnation == 2)
        #expect(sim.queued == [ourAlive(sim, incarnation: 2)])

        // A higher incarnation than ours, even with our own metadata.
        sim.receive(.alive(sim.alive(Sim.me, incarnation: 5)), from: "n02")
        #expect(sim.ml.incarnation == 6)
        #expect(sim.queued == [ourAlive(sim, incarnation: 6)])
        #expect(sim.ml.nodes[Sim.me]?.info.meta == [])
        #expect(sim.ml.delegate.updates.isEmpty)
    }

    @Test func accusationsAboutAnOlderIncarnationOfUsAreIgnored() {
        var sim = Sim(peers: ["n02"])
        sim.receive(.suspect(Suspect(incarnation: 4, node: Sim.me, from: "n02")), from: "n02")
        #expect(sim.ml.incarnation == 5)
        sim.ml.broadcasts = BroadcastQueue()
        let awareness = sim.ml.awareness

        sim.receive(.suspect(Suspect(incarnation: 4, node: Sim.me, from: "n02")), from: "n02")
        sim.receive(.dead(Dead(incarnation: 3, node: Sim.me, from: "n02")), from: "n02")
        sim.receive(.alive(sim.alive(Sim.me, incarnation: 2, meta: [9])), from: "n02")
        #expect(sim.ml.incarnation == 5)
        #expect(sim.queued.isEmpty)
        #expect(sim.ml.awareness == awareness)
    }

    @Test func afterLeavingWeNoLongerRefute() {
        var sim = Sim(peers: ["n02"])
        sim.step { $0.leave(now: $1) }
        #expect(sim.state(Sim.me) == .left)
        sim.ml.broadcasts = BroadcastQueue()

        sim.receive(.suspect(Suspect(incarnation: 1, node: Sim.me, from: "n02")), from: "n02")
        sim.receive(.dead(Dead(incarnation: 1, node: Sim.me, from: "n02")), from: "n02")
        sim.receive(.alive(sim.alive(Sim.me, incarnation: 7)), from: "n02")
        #expect(sim.ml.incarnation == 1)
        #expect(sim.state(Sim.me) == .left)
        #expect(sim.queued.isEmpty)
    }
}
