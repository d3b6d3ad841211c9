@testable import Memberlist
import Testing

/// Death, leaving, and what comes after: memberlist's deadNode, the suspicion
/// timer's end, Leave, gossip to the dead, and resetNodes.
@Suite struct DeadRuleTests {
    typealias Sim = RuleSim

    @Test func theSuspicionTimeoutDeclaresDeathAndGossipsIt() {
        var sim = Sim(peers: ["n02", "n03"])
        sim.answering = ["n02", "n03"]
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        let start = sim.now
        sim.clearLog()
        sim.advance(to: start + .seconds(4))

        let death = Dead(incarnation: 1, node: "n02", from: Sim.me)
        #expect(sim.state("n02") == .dead)
        #expect(sim.ml.nodes["n02"]?.stateChange == start + .seconds(4))
        #expect(sim.ml.delegate.leaves == ["n02"])
        #expect(sim.queued.contains(.dead(death)))
        sim.advance(by: .seconds(1))
        #expect(sim.sentMessages.contains { $0.to == sim.endpoint("n03") && $0.message == .dead(death) })
    }

    @Test func aDeathNoticeFromAnotherMemberIsBelievedAndPassedOn() {
        var sim = Sim(peers: ["n02", "n03"])
        let death = Dead(incarnation: 1, node: "n02", from: "n03")
        sim.receive(.dead(death), from: "n03")
        #expect(sim.state("n02") == .dead)
        #expect(sim.queued == [.dead(death)])
        #expect(sim.ml.delegate.leaves == ["n02"])
    }

    @Test func aSecondDeathNoticeChangesNothing() {
        var sim = Sim(peers: ["n02", "n03", "n04"])
        sim.receive(.dead(Dead(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        let queuedID = sim.ml.broadcasts.items.first { $0.name == "n02" }?.id
        sim.receive(.dead(Dead(incarnation: 1, node: "n02", from: "n04")), from: "n04")
        sim.receive(.dead(Dead(incarnation: 2, node: "n02", from: "n04")), from: "n04")
        #expect(sim.ml.delegate.leaves == ["n02"])
        #expect(sim.incarnation("n02") == 1)
        #expect(sim.ml.broadcasts.items.first { $0.name == "n02" }?.id == queuedID)
    }

    @Test func aDeathNoticeAboutAnOlderIncarnationIsIgnored() {
        var sim = Sim(peers: ["n02", "n03"])
        sim.receive(.alive(sim.alive("n02", incarnation: 3)), from: "n02")
        sim.ml.broadcasts = BroadcastQueue()
        sim.receive(.dead(Dead(incarnation: 2, node: "n02", from: "n03")), from: "n03")
        #expect(sim.state("n02") == .alive)
        #expect(sim.queued.isEmpty)
        #expect(sim.ml.delegate.leaves.isEmpty)
    }

    @Test func aDeathNoticeEndsASuspicion() {
        var sim = Sim(peerCount: 9)
        sim.answering = Set(sim.peers)
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        sim.receive(.dead(Dead(incarnation: 1, node: "n02", from: "n04")), from: "n04")
        #expect(sim.state("n02") == .dead)
        #expect(sim.ml.suspicions["n02"] == nil)
        let suspicions = sim.queued.compactMap(\.suspect).filter { $0.node == "n02" }
        #expect(suspicions.isEmpty)
    }

    @Test func anAliveReplayedAtTheDeadIncarnationDoesNotRevive() {
        var sim = Sim(peers: ["n02", "n03"])
        sim.receive(.dead(Dead(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        sim.receive(.alive(sim.alive("n02", incarnation: 1)), from: "n03")
        #expect(sim.state("n02") == .dead)
        #expect(sim.ml.delegate.joins.isEmpty)

        sim.receive(.alive(sim.alive("n02", incarnation: 2)), from: "n02")
        #expect(sim.state("n02") == .alive)
        #expect(sim.ml.delegate.joins == ["n02"])
    }

    @Test func aNodeAnnouncingItsOwnDeathHasLeftAnythingElseIsDead() {
        var sim = Sim(peers: ["n02", "n03", "n04"])
        sim.receive(.dead(Dead(incarnation: 1, node: "n02", from: "n02")), from: "n02")
        sim.receive(.dead(Dead(incarnation: 1, node: "n03", from: "n04")), from: "n04")
        #expect(sim.state("n02") == .left)
        #expect(sim.state("n03") == .dead)
        #expect(sim.ml.delegate.leaves == ["n02", "n03"])
    }

    @Test func onlyANodeThatLeftMayComeBackAtAnotherAddress() {
        var sim = Sim(peers: ["n02", "n03", "n04"])
        let moved = Endpoint(ip: [10, 0, 7, 7], port: 7946)
        sim.receive(.dead(Dead(incarnation: 1, node: "n02", from: "n02")), from: "n02")
        sim.receive(.dead(Dead(incarnation: 1, node: "n03", from: "n04")), from: "n04")

        // Same incarnation is enough for a node that left: it restarted.
        sim.receive(.alive(sim.alive("n02", incarnation: 1, at: moved)), from: "n04")
        #expect(sim.state("n02") == .alive)
        #expect(sim.ml.nodes["n02"]?.info.endpoint == moved)

        sim.receive(.alive(sim.alive("n03", incarnation: 5, at: moved)), from: "n04")
        #expect(sim.state("n03") == .dead)
        #expect(sim.ml.nodes["n03"]?.info.endpoint == sim.endpoint("n03"))
        #expect(sim.ml.counters.addressConflicts == 1)

        // A live node is not taken over either.
        sim.receive(.alive(sim.alive("n04", incarnation: 5, at: moved)), from: "n02")
        #expect(sim.ml.nodes["n04"]?.info.endpoint == sim.endpoint("n04"))
        #expect(sim.ml.counters.addressConflicts == 2)
    }

    @Test func ourLeaveIsAnnouncedAsLeftAndReportedDoneOnceSent() {
        var sim = Sim(peers: ["n02", "n03"])
        sim.answering = ["n02", "n03"]
        sim.step { $0.leave(now: $1) }
        #expect(sim.state(Sim.me) == .left)
        let goodbye = Dead(incarnation: 1, node: Sim.me, from: Sim.me)
        #expect(sim.queued == [.dead(goodbye)])
        #expect(sim.ml.leaveBroadcastDone() == false)

        // Three nodes: sent 4 × ceil(log10(4)) = 4 times, then done.
        sim.advance(by: .seconds(5))
        #expect(sim.sentMessages.filter { $0.message == .dead(goodbye) }.count == 4)
        #expect(sim.ml.leaveBroadcastDone() == true)
    }

    @Test func theDeadAreGossipedToForAWhileThoseThatLeftNever() {
        var sim = Sim(peers: ["n02", "n03", "n04"])
        sim.answering = ["n02"]
        sim.receive(.dead(Dead(incarnation: 1, node: "n03", from: "n02")), from: "n02")
        sim.receive(.dead(Dead(incarnation: 1, node: "n04", from: "n04")), from: "n04")
        let died = sim.now
        // No probing, so no wrap-around of the probe list, which would forget
        // the dead node after 30 s and hide the rule under test.
        sim.ml.nextProbeAt = .seconds(1_000_000)

        func gossipTargets(_ sim: inout Sim) -> Set<String> {
            // Something new to say, so that the next round sends.
            let meta = [UInt8(sim.ml.incarnation)]
            sim.step { $0.updateMeta(meta, now: $1) }
            sim.clearLog()
            sim.advance(by: .milliseconds(200))
            return Set(sim.sent.filter { $0.messages.contains { $0.alive?.node == Sim.me } }
                .compactMap { sim.name(at: $0.to) })
        }
        sim.advance(to: died + .seconds(29))
        #expect(gossipTargets(&sim) == ["n02", "n03"])
        sim.advance(to: died + .seconds(31))
        #expect(sim.state("n03") == .dead)
        #expect(gossipTargets(&sim) == ["n02"])
    }

    /// memberlist 0.2.2 forgot only the dead here and kept nodes that left
    /// for ever; 0.3.1 (#254, "Purge left nodes along with dead ones") forgets
    /// both, as this core does.
    @Test func theDeadAndTheLeftAreForgottenAfterGossipToTheDeadTime() {
        var sim = Sim(peers: ["n02", "n03", "n04"])
        sim.answering = ["n02"]
        sim.receive(.dead(Dead(incarnation: 1, node: "n03", from: "n02")), from: "n02")
        sim.receive(.dead(Dead(incarnation: 1, node: "n04", from: "n04")), from: "n04")
        let died = sim.now
        sim.advance(to: died + .seconds(29))
        #expect(sim.ml.nodes["n03"] != nil && sim.ml.nodes["n04"] != nil)
        #expect(sim.ml.estimatedNodeCount == 4)

        // The next wrap-around of the probe list after 30 s drops them.
        sim.advance(to: died + .seconds(35))
        #expect(sim.ml.nodes["n03"] == nil)
        #expect(sim.ml.nodes["n04"] == nil)
        #expect(sim.ml.estimatedNodeCount == 2)
        #expect(sim.state("n02") == .alive)
    }
}
