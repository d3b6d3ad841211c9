@testable import Memberlist
import Testing

/// How news spreads: memberlist's TransmitLimitedQueue (queue.go),
/// retransmitLimit (util.go), gossip and sendMsg's piggybacking.
@Suite struct BroadcastRuleTests {
    typealias Sim = RuleSim

    /// retransmitMult × ceil(log10(n + 1)), n counting ourselves.
    @Test(arguments: [(1, 4), (3, 4), (9, 4), (10, 8), (99, 8), (100, 12), (999, 12), (1000, 16)])
    func theRetransmitLimitGrowsWithLog10OfTheClusterSize(nodes: Int, limit: Int) {
        #expect(Scaling.retransmitLimit(mult: 4, nodes: nodes) == limit)
    }

    @Test(arguments: [(3, 4), (9, 8), (20, 8)])
    func aBroadcastIsSentExactlyTheRetransmitLimitTimes(peers: Int, times: Int) {
        var sim = Sim(peerCount: peers)
        sim.answering = Set(sim.peers)
        let death = Dead(incarnation: 1, node: sim.peers[0], from: sim.peers[1])
        sim.receive(.dead(death), from: sim.peers[1])
        sim.clearLog()
        sim.advance(by: .seconds(10))
        #expect(sim.sentMessages.filter { $0.message == .dead(death) }.count == times)
        #expect(!sim.queued.contains(.dead(death)))
    }

    @Test func newerNewsAboutANodeReplacesWhatIsQueuedAboutIt() {
        var sim = Sim(peerCount: 9)
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n04", from: "n03")), from: "n03")
        #expect(sim.queued.count == 2)

        sim.receive(.alive(sim.alive("n02", incarnation: 2)), from: "n02")
        #expect(sim.queued.filter { $0.suspect?.node == "n02" || $0.alive?.node == "n02" }
            == [.alive(sim.alive("n02", incarnation: 2))])

        let death = Dead(incarnation: 2, node: "n02", from: "n05")
        sim.receive(.dead(death), from: "n05")
        #expect(sim.queued.filter { $0.dead?.node == "n02" || $0.alive?.node == "n02" } == [.dead(death)])
        // News about another node stays.
        #expect(sim.queued.contains(.suspect(Suspect(incarnation: 1, node: "n04", from: "n03"))))
        #expect(sim.queued.count == 2)
    }

    /// Fills the queue with death notices of equal size about `count` peers.
    static func manyDeaths(udpBufferSize: Int, encryptionOverhead: Int = 0, count: Int = 15) -> (Sim, Int) {
        var sim = Sim(peerCount: 30) { c in
            c.udpBufferSize = udpBufferSize
            c.encryptionOverhead = encryptionOverhead
        }
        sim.answering = Set(sim.peers)
        var size = 0
        for name in sim.peers.suffix(count) {
            let death = Message.dead(Dead(incarnation: 1, node: name, from: "n02"))
            size = death.encoded().count
            sim.receive(death, from: "n02")
        }
        sim.clearLog()
        return (sim, size)
    }

    @Test(arguments: [0, 29])
    func gossipPacketsFillButNeverExceedTheUdpBudget(encryptionOverhead: Int) throws {
        var (sim, each) = Self.manyDeaths(udpBufferSize: 300, encryptionOverhead: encryptionOverhead)
        sim.ml.nextProbeAt = .seconds(1_000_000)
        sim.advance(to: sim.ml.nextGossipAt)

        let budget = 300 - encryptionOverhead
        let fit = (budget - 2) / (each + 2)
        #expect(sim.sent.count == 3)
        for packet in sim.sent {
            let parts = packet.messages.map { $0.encoded() }
            #expect(PacketCodec.compound(parts).count <= budget)
            #expect(parts.count == fit)
        }
        // The budget, not the queue, is what limits each packet.
        #expect(fit >= 2 && fit < 15, "each notice is \(each) bytes")
    }

    /// sendMsg leaves room for the command itself and the compound header:
    /// the budget below has room for five notices and almost a sixth.
    @Test func piggybackedNewsFitsBesideTheCommand() throws {
        let reply = Message.ack(AckResponse(seqNo: 5, payload: []))
        let each = Message.dead(Dead(incarnation: 1, node: "n17", from: "n02")).encoded().count
        let budget = reply.encoded().count + 2 + 6 * (each + 2) - 1
        var (sim, size) = Self.manyDeaths(udpBufferSize: budget)
        #expect(size == each)
        sim.receive(.ping(Ping(seqNo: 5, node: Sim.me)), from: "n02")
        let packet = try #require(sim.sent.first)
        #expect(packet.messages.first == reply)
        #expect(packet.messages.count == 1 + 5)
    }

    @Test func theLeastSentNewsGoesFirst() {
        var (sim, _) = Self.manyDeaths(udpBufferSize: 300)
        sim.ml.nextProbeAt = .seconds(1_000_000)
        sim.advance(to: sim.ml.nextGossipAt)
        let firstRound = Set(sim.sentMessages.map(\.message))
        #expect(firstRound.count == 15)  // three full packets: everything went at least once

        let fresh = Message.suspect(Suspect(incarnation: 1, node: "n03", from: "n04"))
        sim.receive(fresh, from: "n04")
        sim.clearLog()
        sim.advance(to: sim.ml.nextGossipAt)
        #expect(sim.sent.first?.messages.first == fresh)
    }
}
