@testable import Memberlist
import Testing

/// Failure detection: the direct ping, indirect pings through others, the TCP
/// fallback, and how the outcome moves our own health score (memberlist's
/// probeNode in state.go).
@Suite struct ProbeRuleTests {
    typealias Sim = RuleSim

    @Test func pingGoesToTheMemberAndAnAckInTimeKeepsItAlive() throws {
        var sim = Sim(peers: ["n02"])
        let ping = sim.nextProbe()
        let start = sim.now
        let packet = try #require(sim.sent.last)
        #expect(packet.to == sim.endpoint("n02"))
        #expect(packet.crc == false)
        #expect(ping.node == "n02")
        #expect(ping.sourceNode == Sim.me)
        #expect(ping.sourceAddr == Sim.myEndpoint.ip && ping.sourcePort == Sim.myEndpoint.port)

        sim.advance(to: start + .milliseconds(400))
        sim.receive(.ack(AckResponse(seqNo: ping.seqNo, payload: [])), from: "n02")
        #expect(sim.ml.probe == nil)
        sim.advance(to: start + .milliseconds(999))

        #expect(sim.state("n02") == .alive)
        #expect(!sim.sentMessages.contains { $0.message.indirectPing != nil || $0.message.suspect != nil })
        #expect(sim.tcpPings.isEmpty)
        #expect(sim.ml.counters.unknownAcks == 0)
        #expect(sim.ml.awareness == 0)
    }

    @Test func noAckByTheProbeTimeoutSendsPingRequestsToKOtherAlivePeers() {
        var sim = Sim(peerCount: 6)
        let ping = sim.nextProbe()
        let start = sim.now
        let target = ping.node
        sim.clearLog()

        sim.advance(to: start + .milliseconds(499))
        #expect(!sim.sentMessages.contains { $0.message.indirectPing != nil })

        sim.advance(to: start + .milliseconds(500))
        let requests = sim.sentMessages.compactMap { m in m.message.indirectPing.map { (to: m.to, req: $0) } }
        #expect(requests.count == 3)
        #expect(Set(requests.map(\.to)).count == 3)
        for (to, req) in requests {
            #expect(to != sim.endpoint(target) && to != Sim.myEndpoint)
            #expect(req.seqNo == ping.seqNo)
            #expect(req.node == target)
            #expect(req.target == sim.endpoint(target).ip && req.port == sim.endpoint(target).port)
            #expect(req.nack == true)
            #expect(req.sourceNode == Sim.me && req.sourceAddr == Sim.myEndpoint.ip)
        }
    }

    @Test func pingRequestsGoOnlyThroughAlivePeers() {
        var sim = Sim(peerCount: 5)  // n02 ... n06
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n04", from: "n02")), from: "n02")
        sim.receive(.dead(Dead(incarnation: 1, node: "n05", from: "n02")), from: "n02")
        sim.receive(.dead(Dead(incarnation: 1, node: "n06", from: "n06")), from: "n06")
        let ping = sim.nextProbe()
        let start = sim.now
        sim.clearLog()
        sim.advance(to: start + .milliseconds(500))

        let relays = Set(sim.sentMessages.filter { $0.message.indirectPing != nil }.map(\.to))
        let expected = Set(["n02", "n03"].filter { $0 != ping.node }.map(sim.endpoint))
        #expect(relays == expected)
    }

    @Test func onlyPeersThatUnderstandNacksAreAskedForOne() {
        var sim = Sim(peers: ["n02", "n03", "n04", "n05"],
                      versions: ["n02": Sim.oldProtocol, "n03": Sim.oldProtocol])
        let ping = sim.nextProbe()
        sim.clearLog()
        sim.advance(by: .milliseconds(500))

        let requests = sim.sentMessages.compactMap { m in m.message.indirectPing.map { (to: sim.name(at: m.to)!, req: $0) } }
        #expect(requests.count == 3)
        for (peer, req) in requests {
            #expect(peer != ping.node)
            #expect(req.nack == !(peer == "n02" || peer == "n03"), "asked \(peer)")
        }
        #expect(sim.ml.probe?.expectedNacks == requests.filter(\.req.nack).count)
    }

    @Test func anAckRelayedAfterTheProbeTimeoutStillCounts() {
        var sim = Sim(peerCount: 4)
        let ping = sim.nextProbe()
        let start = sim.now
        sim.advance(to: start + .milliseconds(500))
        let relay = sim.sentMessages.first { $0.message.indirectPing != nil }!.to

        // The relay forwards the target's ack under our sequence number.
        sim.advance(to: start + .milliseconds(800))
        sim.step { $0.receive(.ack(AckResponse(seqNo: ping.seqNo, payload: [])), from: relay, now: $1) }
        sim.advance(to: start + .milliseconds(999))

        #expect(sim.state(ping.node) == .alive)
        #expect(sim.ml.probe == nil)
        #expect(!sim.sentMessages.contains { $0.message.suspect != nil })
    }

    @Test func tcpFallbackIsRequestedAndItsAckCounts() throws {
        var sim = Sim(peers: ["n02"])
        let ping = sim.nextProbe()
        let start = sim.now
        sim.advance(to: start + .milliseconds(499))
        #expect(sim.tcpPings.isEmpty)
        sim.advance(to: start + .milliseconds(500))

        let tcp = try #require(sim.tcpPings.first)
        #expect(sim.tcpPings.count == 1)
        #expect(tcp.to == sim.endpoint("n02"))
        #expect(tcp.ping.seqNo == ping.seqNo && tcp.ping.node == "n02")
        #expect(tcp.deadline == start + .seconds(1))

        // A result for some other round says nothing about this one.
        sim.step { $0.tcpPingCompleted(seqNo: ping.seqNo &+ 1, acked: true, now: $1) }
        #expect(sim.ml.probe?.seqNo == ping.seqNo)

        sim.advance(to: start + .milliseconds(900))
        sim.step { $0.tcpPingCompleted(seqNo: ping.seqNo, acked: true, now: $1) }
        sim.advance(to: start + .milliseconds(999))
        #expect(sim.state("n02") == .alive)
        #expect(sim.ml.awareness == 0)
        #expect(!sim.sentMessages.contains { $0.message.suspect != nil })
    }

    @Test func aFailedTcpFallbackDoesNotSaveTheMember() {
        var sim = Sim(peers: ["n02"])
        let ping = sim.nextProbe()
        let start = sim.now
        sim.advance(to: start + .milliseconds(700))
        sim.step { $0.tcpPingCompleted(seqNo: ping.seqNo, acked: false, now: $1) }
        sim.advance(to: start + .seconds(1))
        #expect(sim.state("n02") == .suspect)
    }

    @Test(arguments: [false, true])
    func noTcpFallbackWhenDisabledOrTheMemberIsTooOld(disabled: Bool) {
        var sim = Sim(peers: ["n02"], versions: disabled ? [:] : ["n02": Sim.oldProtocol]) { c in
            c.disableTCPPings = disabled
        }
        _ = sim.nextProbe()
        let start = sim.now
        sim.advance(to: start + .seconds(1))
        #expect(sim.tcpPings.isEmpty)
        #expect(sim.state("n02") == .suspect)
    }

    @Test func aFailedProbeWithoutNackingPeersSlowsTheNextRoundAndASuccessRestoresIt() throws {
        var sim = Sim(peers: ["n02"])
        _ = sim.nextProbe()
        sim.advance(by: .seconds(1))
        #expect(sim.ml.awareness == 1)

        // Twice the interval: the next round's TCP fallback may run that long.
        sim.clearLog()
        let second = sim.nextProbe()
        let secondStart = sim.now
        sim.advance(to: secondStart + .milliseconds(500))
        #expect(try #require(sim.tcpPings.first).deadline == secondStart + .seconds(2))
        sim.receive(.ack(AckResponse(seqNo: second.seqNo, payload: [])), from: "n02")
        #expect(sim.ml.awareness == 0)

        sim.clearLog()
        let third = sim.nextProbe()
        let thirdStart = sim.now
        sim.advance(to: thirdStart + .milliseconds(500))
        #expect(try #require(sim.tcpPings.first).deadline == thirdStart + .seconds(1))
        #expect(third.seqNo != second.seqNo)
    }

    @Test func missingNacksRaiseOurHealthScoreByHowManyAreMissing() {
        var sim = Sim(peerCount: 4)
        let ping = sim.nextProbe()
        let start = sim.now
        sim.advance(to: start + .milliseconds(500))
        let relays = sim.sentMessages.filter { $0.message.indirectPing != nil }.map(\.to)
        #expect(relays.count == 3)
        sim.step { $0.receive(.nack(NackResponse(seqNo: ping.seqNo)), from: relays[0], now: $1) }
        // A nack for another round is not one of ours.
        sim.step { $0.receive(.nack(NackResponse(seqNo: ping.seqNo &+ 7)), from: relays[1], now: $1) }
        sim.advance(to: start + .seconds(1))

        #expect(sim.state(ping.node) == .suspect)
        #expect(sim.ml.awareness == 2)
    }

    @Test func aSuspectMemberIsPingedTogetherWithTheSuspicion() throws {
        var sim = Sim(peers: ["n02", "n03"])
        sim.answering = ["n03"]
        sim.receive(.suspect(Suspect(incarnation: 1, node: "n02", from: "n03")), from: "n03")
        var ping = sim.nextProbe()
        while ping.node != "n02" { ping = sim.nextProbe() }

        let packet = try #require(sim.sent.last { $0.messages.contains { $0.ping?.seqNo == ping.seqNo } })
        #expect(packet.to == sim.endpoint("n02"))
        #expect(packet.crc == true)
        #expect(packet.messages == [.ping(ping), .suspect(Suspect(incarnation: 1, node: "n02", from: Sim.me))])
    }

    @Test func deadAndLeftMembersAreNotProbed() {
        var sim = Sim(peerCount: 4)  // n02 ... n05
        sim.answering = Set(sim.peers)
        sim.receive(.dead(Dead(incarnation: 1, node: "n03", from: "n02")), from: "n02")
        sim.receive(.dead(Dead(incarnation: 1, node: "n05", from: "n05")), from: "n05")
        sim.clearLog()
        sim.advance(by: .seconds(20))

        let probed = sim.sentMessages.compactMap { $0.message.ping }.filter { $0.sourceNode == Sim.me }.map(\.node)
        // Some ticks find nobody: like memberlist's probe(), one pass checks
        // at most as many entries as the list has, wrap-around included.
        #expect(probed.count >= 15)
        #expect(Set(probed) == ["n02", "n04"])
    }

    @Test func nobodyIsProbedWhenEveryoneElseIsDead() {
        var sim = Sim(peers: ["n02"])
        sim.receive(.dead(Dead(incarnation: 1, node: "n02", from: "n03")), from: "n02")
        sim.clearLog()
        sim.advance(by: .seconds(10))
        #expect(!sim.sentMessages.contains { $0.message.ping != nil })
        #expect(sim.ml.probe == nil)
    }

    @Test func aPingForUsIsAckedAtTheAddressItGivesOrElseWhereItCameFrom() throws {
        var sim = Sim(peers: ["n02"])
        let elsewhere = Endpoint(ip: [10, 0, 9, 9], port: 8000)
        sim.receive(.ping(Ping(seqNo: 41, node: Sim.me, sourceAddr: elsewhere.ip, sourcePort: elsewhere.port,
                               sourceNode: "n02")), from: "n02")
        sim.receive(.ping(Ping(seqNo: 42, node: "")), from: "n02")
        let acks = sim.sentMessages.compactMap { m in m.message.ack.map { (m.to, $0.seqNo) } }
        #expect(acks.count == 2)
        #expect(acks.first?.0 == elsewhere && acks.first?.1 == 41)
        #expect(acks.last?.0 == sim.endpoint("n02") && acks.last?.1 == 42)
    }

    @Test func aPingForAnotherNameIsNotAnswered() {
        var sim = Sim(peers: ["n02"])
        sim.receive(.ping(Ping(seqNo: 41, node: "somebody-else")), from: "n02")
        #expect(sim.sent.isEmpty)
        #expect(sim.ml.counters.pingsForOtherNodes == 1)
    }

    @Test func aRelayedPingForwardsTheTargetsAckUnderTheRequestersNumber() throws {
        var sim = Sim(peers: ["n02", "n03"])
        let request = IndirectPingRequest(seqNo: 77, target: sim.endpoint("n03").ip, port: sim.endpoint("n03").port,
                                          node: "n03", nack: true, sourceAddr: sim.endpoint("n02").ip,
                                          sourcePort: sim.endpoint("n02").port, sourceNode: "n02")
        sim.receive(.indirectPing(request), from: "n02")
        let out = try #require(sim.sentMessages.first)
        let relayed = try #require(out.message.ping)
        #expect(out.to == sim.endpoint("n03"))
        #expect(relayed.node == "n03" && relayed.sourceNode == Sim.me)
        #expect(relayed.seqNo != 77)

        sim.clearLog()
        sim.advance(by: .milliseconds(300))
        sim.receive(.ack(AckResponse(seqNo: relayed.seqNo, payload: [])), from: "n03")
        let forwarded = sim.sentMessages.compactMap { m in m.message.ack.map { (m.to, $0.seqNo) } }
        #expect(forwarded.count == 1)
        #expect(forwarded.first?.0 == sim.endpoint("n02") && forwarded.first?.1 == 77)

        // Answered in time: no nack follows.
        sim.advance(by: .seconds(1))
        #expect(!sim.sentMessages.contains { $0.message.nack != nil })
    }

    @Test(arguments: [true, false])
    func anUnansweredRelayedPingIsNackedOnlyIfAskedTo(wantsNack: Bool) {
        var sim = Sim(peers: ["n02", "n03"])
        let request = IndirectPingRequest(seqNo: 77, target: sim.endpoint("n03").ip, port: sim.endpoint("n03").port,
                                          node: "n03", nack: wantsNack, sourceAddr: sim.endpoint("n02").ip,
                                          sourcePort: sim.endpoint("n02").port, sourceNode: "n02")
        sim.receive(.indirectPing(request), from: "n02")
        let start = sim.now
        sim.advance(to: start + .milliseconds(499))
        #expect(!sim.sentMessages.contains { $0.message.nack != nil })
        sim.advance(to: start + .milliseconds(500))
        let nacks = sim.sentMessages.compactMap { m in m.message.nack.map { (m.to, $0.seqNo) } }
        if wantsNack {
            #expect(nacks.count == 1)
            #expect(nacks.first?.0 == sim.endpoint("n02") && nacks.first?.1 == 77)
        } else {
            #expect(nacks.isEmpty)
        }
    }

    /// memberlist suspects at the incarnation the member had when the round
    /// began (probeNode works on a copy of the node taken in probe()), so an
    /// alive with a higher incarnation heard meanwhile outbids the verdict.
    @Test func aRefutationHeardDuringTheRoundOutbidsTheRoundsVerdict() {
        var sim = Sim(peers: ["n02"])
        _ = sim.nextProbe()
        let start = sim.now
        sim.advance(to: start + .milliseconds(600))
        sim.receive(.alive(sim.alive("n02", incarnation: 2)), from: "n02")
        sim.advance(to: start + .seconds(1))

        #expect(sim.state("n02") == .alive)
        #expect(sim.incarnation("n02") == 2)
        #expect(sim.ml.suspicions["n02"] == nil)
    }
}
