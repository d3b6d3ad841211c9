@testable import Memberlist
import Testing

/// Suspicion and its Lifeguard timer: memberlist's suspectNode in state.go,
/// suspicion.go, and suspicionTimeout in util.go.
///
/// With the LAN defaults (suspicionMult 4, max multiplier 6, 1 s probes) and
/// 10 nodes, the timer runs from 24 s down to 4 s as k = 2 others confirm.
@Suite struct SuspicionRuleTests {
    typealias Sim = RuleSim

    /// Ten nodes that all answer pings: our own probes never confirm.
    static func quietTen() -> Sim {
        var sim = Sim(peerCount: 9)
        sim.answering = Set(sim.peers)
        return sim
    }

    @Test func aMissedProbeMakesTheMemberSuspectAndWeGossipIt() {
        var sim = Sim(peers: ["n02", "n03"])
        sim.answering = ["n03"]
        var ping = sim.nextProbe()
        while ping.node != "n02" { ping = sim.nextProbe() }
        let start = sim.now
        sim.advance(to: start + .milliseconds(999))
        #expect(sim.state("n02") == .alive)

        sim.advance(to: start + .seconds(1))
        #expect(sim.state("n02") == .suspect)
        #expect(sim.incarnation("n02") == 1)
        #expect(sim.ml.nodes["n02"]?.stateChange == start + .seconds(1))
        let suspicion = Suspect(incarnation: 1, node: "n02", from: Sim.me)
        #expect(sim.queued.contains(.suspect(suspicion)))

        sim.advance(by: .seconds(1))
        #expect(sim.sentMessages.contains { $0.to == sim.endpoint("n03") && $0.message == .suspect(suspicion) })
        #expect(sim.ml.delegate.leaves.isEmpty)
    }

    @Test func withTooFewOthersToConfirmTheTimerRunsTheMinimum() {
        var sim = Sim(peers: ["n02", "n03"])
        sim.answering = ["n02", "n03"]
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        let start = sim.now
        #expect(sim.ml.suspicions["n02"]?.k == 0)
        sim.advance(to: start + .milliseconds(3999))
        #expect(sim.state("n02") == .suspect)
        sim.advance(to: start + .seconds(4))
        #expect(sim.state("n02") == .dead)
    }

    @Test func withEnoughOthersTheTimerStartsAtTheMaximum() {
        var sim = Self.quietTen()
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        let start = sim.now
        #expect(sim.ml.suspicions["n02"]?.k == 2)
        sim.advance(to: start + .milliseconds(23_999))
        #expect(sim.state("n02") == .suspect)
        sim.advance(to: start + .seconds(24))
        #expect(sim.state("n02") == .dead)
    }

    @Test func anIndependentConfirmationShortensTheTimerAndIsPassedOn() {
        var sim = Self.quietTen()
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        let start = sim.now
        sim.advance(to: start + .seconds(1))
        let confirmation = Suspect(incarnation: 1, node: "n02", from: "n04")
        sim.receive(.suspect(confirmation), from: "n04")
        #expect(sim.queued.contains(.suspect(confirmation)))

        // 24 s - log(2)/log(3) × (24 s - 4 s), cut to the millisecond, from the start.
        sim.advance(to: start + .milliseconds(11_380))
        #expect(sim.state("n02") == .suspect)
        sim.advance(to: start + .milliseconds(11_381))
        #expect(sim.state("n02") == .dead)
    }

    @Test func kConfirmationsBringTheTimerDownToTheMinimum() {
        var sim = Self.quietTen()
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        let start = sim.now
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n04")), from: "n04")
        sim.advance(to: start + .seconds(2))
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n05")), from: "n05")
        sim.advance(to: start + .milliseconds(3999))
        #expect(sim.state("n02") == .suspect)
        sim.advance(to: start + .seconds(4))
        #expect(sim.state("n02") == .dead)
    }

    @Test func repeatedConfirmationsFromTheSameNodeCountOnce() {
        var sim = Self.quietTen()
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        let start = sim.now
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n04")), from: "n04")

        // By now both verdicts have been gossiped their last time.
        sim.advance(to: start + .seconds(1))
        #expect(sim.queued.isEmpty)
        for _ in 0 ..< 3 {
            sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n04")), from: "n04")
        }
        // The accuser itself, repeating its verdict, is no new witness either.
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n03")), from: "n03")

        #expect(sim.ml.suspicions["n02"]?.confirmationCount == 1)
        #expect(sim.queued.isEmpty)
        sim.advance(to: start + .milliseconds(11_380))
        #expect(sim.state("n02") == .suspect)
        sim.advance(to: start + .milliseconds(11_381))
        #expect(sim.state("n02") == .dead)
    }

    @Test func confirmationsBeyondKAreNotPassedOn() {
        var sim = Self.quietTen()
        for from in ["n03", "n04", "n05"] {
            sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: from)), from: from)
        }
        let queuedID = sim.ml.broadcasts.items.first { $0.name == "n02" }?.id
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n06")), from: "n06")
        #expect(sim.ml.suspicions["n02"]?.confirmationCount == 2)
        #expect(sim.ml.broadcasts.items.first { $0.name == "n02" }?.id == queuedID)
        #expect(!sim.queued.contains(.suspect(Suspect(incarnation: 1, node: "n02", from: "n06"))))
    }

    /// memberlist's suspicionTimeout keeps the node scale to 1/1000
    /// (time.Duration(nodeScale*1000)): with 20 nodes, log10(20) = 1.30103
    /// counts as 1.301, so the minimum is 5.204 s and the maximum 31.224 s.
    @Test func theTimeoutScalesWithLog10OfTheClusterSizeInThousandths() {
        var sim = Sim(peerCount: 19)
        sim.answering = Set(sim.peers)
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        let start = sim.now
        #expect(sim.ml.suspicions["n02"]?.min == .milliseconds(5204))
        sim.advance(to: start + .milliseconds(31_223))
        #expect(sim.state("n02") == .suspect)
        sim.advance(to: start + .milliseconds(31_224))
        #expect(sim.state("n02") == .dead)
    }

    @Test func anAliveWithAHigherIncarnationEndsTheSuspicion() {
        var sim = Self.quietTen()
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        let start = sim.now
        sim.advance(to: start + .seconds(1))
        sim.receive(.alive(sim.alive("n02", incarnation: 2)), from: "n02")

        #expect(sim.state("n02") == .alive)
        #expect(sim.ml.suspicions["n02"] == nil)
        #expect(sim.queued.contains(.alive(sim.alive("n02", incarnation: 2))))
        sim.advance(to: start + .seconds(30))
        #expect(sim.state("n02") == .alive)
        #expect(sim.incarnation("n02") == 2)
    }

    @Test func anAliveAtTheSuspectedIncarnationDoesNotEndIt() {
        var sim = Self.quietTen()
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        let start = sim.now
        sim.receive(.alive(sim.alive("n02", incarnation: 1)), from: "n02")
        #expect(sim.state("n02") == .suspect)
        #expect(sim.ml.suspicions["n02"] != nil)
        sim.advance(to: start + .seconds(24))
        #expect(sim.state("n02") == .dead)
    }

    @Test func aSuspicionAboutAnOlderIncarnationIsIgnored() {
        var sim = Sim(peers: ["n02", "n03"])
        sim.receive(.alive(sim.alive("n02", incarnation: 3)), from: "n02")
        sim.ml.broadcasts = BroadcastQueue()
        sim.receive(.suspect(Suspect(incarnation: 2, node: "n02", from: "n03")), from: "n03")
        #expect(sim.state("n02") == .alive)
        #expect(sim.ml.suspicions["n02"] == nil)
        #expect(sim.queued.isEmpty)
    }

    @Test func aSuspicionAboutAnUnknownNodeIsIgnored() {
        var sim = Sim(peers: ["n02"])
        sim.receive(.suspect(Suspect(incarnation: 1, node: "ghost", from: "n02")), from: "n02")
        #expect(sim.ml.nodes["ghost"] == nil)
        #expect(sim.ml.suspicions.isEmpty)
        #expect(sim.queued.isEmpty)
    }

    @Test func aSuspicionAboutADeadMemberIsIgnored() {
        var sim = Sim(peers: ["n02", "n03"])
        sim.receive(.dead(Dead(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        sim.ml.broadcasts = BroadcastQueue()
        sim.receive(.suspect(Suspect(incarnation: 2, node: "n02", from: "n03")), from: "n03")
        #expect(sim.state("n02") == .dead)
        #expect(sim.incarnation("n02") == 1)
        #expect(sim.queued.isEmpty)
    }
}
