import Memberlist
import Serf
import Testing

/// The Serf and memberlist state machines on a simulated network and clock:
/// joins, failures, graceful leaves, partitions and loss, with no sleeps.
@Suite struct MembershipSimulationTests {
    /// An observer and `n` agents-like members, all joined through the first.
    func cluster(_ n: Int, seed: UInt64 = 7) -> SimulatedNetwork {
        var net = SimulatedNetwork(seed: seed)
        net.add("observer", tags: ["role": "observer"])
        for i in 1 ... n { net.add("node\(i)", tags: ["role": i == 1 ? "balancer" : "backend"]) }
        for i in 1 ... n { check(net.join(i, via: i == 1 ? 0 : 1)) }
        return net
    }

    func allSeeAll(_ net: SimulatedNetwork, status: MemberStatus = .alive) -> Bool {
        let names = net.nodes.compactMap { $0?.name }
        for (i, node) in net.nodes.enumerated() where node != nil && !net.crashed.contains(i) {
            for name in names where net.status(of: name, seenBy: i) != status { return false }
        }
        return true
    }

    @Test func everyoneLearnsEveryoneThroughOneSeed() async throws {
        try await simulate {
            var net = cluster(5)
            check(net.run(until: .seconds(5)) { allSeeAll($0) })
            #expect(net.nodes[0]!.members.count == 6)
            let tags = net.nodes[3]!.members.first { $0.name == "observer" }?.tags
            #expect(tags == ["role": "observer"])
        }
    }

    @Test func aCrashedMemberIsSeenFailedAndReported() async throws {
        try await simulate {
            var net = cluster(4)
            check(net.run(until: .seconds(5)) { allSeeAll($0) })
            net.crash(3)
            let start = net.now
            check(net.run(until: .seconds(30)) { $0.status(of: "node3", seenBy: 0) == .failed })
            let elapsed = net.now - start
            // Suspicion needs at least SuspicionMult × ProbeInterval (4 s) to expire.
            #expect(elapsed >= .seconds(4))
            #expect(net.memberEvents(0, .failed) == ["node3"])
            check(net.run(until: .seconds(10)) { n in (1 ... 4).filter { $0 != 3 }.allSatisfy { n.status(of: "node3", seenBy: $0) == .failed } })
        }
    }

    /// An idle member wakes for its real deadlines only: one probe per
    /// probe interval, and the rarer push/pull, reap and reconnect. A wake-up
    /// on a polling beat, or twice per probe, shows here as a higher count.
    @Test func anIdleObserverWakesOncePerProbeAndForLittleElse() async throws {
        try await simulate {
            var net = cluster(5)
            check(net.run(until: .seconds(5)) { allSeeAll($0) })
            // Let the join's broadcasts run out: gossip rounds are real work.
            net.run(for: .seconds(30))
            let before = net.wakeUps[0]
            let window = Duration.seconds(120)
            net.run(for: window)
            let woken = net.wakeUps[0] - before
            let probes = Int(window / MemberlistConfig(name: "x", advertise: net.endpoints[0]).probeInterval)
            // 120 probes, 4 push/pulls, and Serf's reap and reconnect checks.
            #expect(woken >= probes)
            #expect(woken <= probes + 20, "\(woken) wake-ups in \(window) for \(probes) probes")
        }
    }

    @Test func aGracefulLeaveIsSeenAsLeftNeverFailed() async throws {
        try await simulate {
            var net = cluster(4)
            check(net.run(until: .seconds(5)) { allSeeAll($0) })
            let leaving = net.nodes[0]!.beginLeave(now: net.now)
            net.apply(leaving, at: 0)
            check(net.run(until: .seconds(2)) { n in (1 ... 4).allSatisfy { n.status(of: "observer", seenBy: $0) == .left } })
            check(net.run(until: .seconds(8)) { $0.nodes[0]!.isLeaveComplete })
            net.crash(0)
            net.run(for: .seconds(20))
            for i in 1 ... 4 {
                #expect(net.status(of: "observer", seenBy: i) == .left)
                #expect(!net.memberEvents(i, .failed).contains("observer"))
                #expect(net.memberEvents(i, .leave).contains("observer"))
            }
        }
    }

    @Test func userEventsReachEveryMemberExactlyOnce() async throws {
        try await simulate {
            var net = cluster(6)
            check(net.run(until: .seconds(5)) { allSeeAll($0) })
            let sent = try net.nodes[2]!.sendUserEvent(name: "deploy", payload: Array("v2".utf8), coalesce: true)
            net.apply(sent, at: 2)
            net.run(for: .seconds(5))
            for i in 0 ... 6 {
                let events = net.userEvents(i).filter { $0.name == "deploy" }
                #expect(events.count == 1, "node \(i) heard \(events.count) deploy events")
                #expect(events.first?.payload == Array("v2".utf8))
            }
        }
    }

    @Test func oversizedUserEventIsRefusedInWords() async throws {
        try await simulate {
            var net = cluster(1)
            #expect(throws: SerfError.userEventTooLarge(size: 605, limit: 512)) {
                _ = try net.nodes[0]!.sendUserEvent(name: "big", payload: Array(repeating: 1, count: 602), coalesce: false)
            }
        }
    }

    @Test func queryWithATagFilterGetsAcksAndResponsesFromMatchingMembersOnly() async throws {
        try await simulate {
            var net = cluster(5)
            check(net.run(until: .seconds(5)) { allSeeAll($0) })
            let (ltime, sent) = try net.nodes[0]!.sendQuery(QueryRequest(name: "serftop-reload", payload: [1],
                                                                         filterTags: ["role": "^back"], requestAck: true),
                                                            now: net.now)
            net.apply(sent, at: 0)
            // Each backend answers the query its application received.
            net.run(for: .milliseconds(600))
            for i in 2 ... 5 {
                let q = net.outputs[i].compactMap { if case .event(.query(let q)) = $0 { return q } else { return nil } }
                #expect(q.count == 1)
                guard let query = q.first else { continue }
                let answered = try net.nodes[i]!.respond(to: query.id, payload: Array("ok \(i)".utf8), now: net.now)
                net.apply(answered, at: i)
            }
            let balancerQueries = net.outputs[1].filter { if case .event(.query) = $0 { return true } else { return false } }
            #expect(balancerQueries.isEmpty, "the balancer does not match role=^back")
            net.run(for: .seconds(4))
            var acks = Set<String>(), responses = [String: String]()
            var done = false
            for output in net.outputs[0] {
                switch output {
                case .queryReply(ltime, .ack(let from)): acks.insert(from)
                case .queryReply(ltime, .response(let from, let payload)): responses[from] = String(decoding: payload, as: UTF8.self)
                case .queryDone(ltime): done = true
                default: break
                }
            }
            #expect(acks == ["node2", "node3", "node4", "node5"])
            #expect(responses == ["node2": "ok 2", "node3": "ok 3", "node4": "ok 4", "node5": "ok 5"])
            #expect(done)
        }
    }

    @Test func noFalseFailuresUnderTenPercentLoss() async throws {
        try await simulate {
            var net = cluster(8)
            check(net.run(until: .seconds(5)) { allSeeAll($0) })
            net.loss = 0.10
            net.run(for: .seconds(120))
            for i in 0 ... 8 { #expect(net.memberEvents(i, .failed).isEmpty, "node \(i) saw a failure") }
            #expect(allSeeAll(net))
            #expect(net.undecodable == 0, "everything crossed the codecs")
        }
    }

    @Test func aSuspectedMemberRefutesWithAHigherIncarnation() async throws {
        try await simulate {
            var net = cluster(3)
            check(net.run(until: .seconds(5)) { allSeeAll($0) })
            // node2 is cut off long enough to be suspected, but not declared dead.
            net.partition([2], [0, 1, 3])
            check(net.run(until: .seconds(4)) { $0.status(of: "node2", seenBy: 0) == .suspect })
            net.heal()
            net.run(for: .seconds(30))
            #expect(allSeeAll(net))
            #expect((net.nodes[2]!.memberlist.incarnation) > 1, "node2 must have refuted at least once")
            for i in 0 ... 3 { #expect(net.memberEvents(i, .failed).isEmpty) }
        }
    }

    @Test func aPartitionHealsBackIntoOneCluster() async throws {
        try await simulate {
            var net = cluster(5)
            check(net.run(until: .seconds(5)) { allSeeAll($0) })
            net.partition([0, 1, 2], [3, 4, 5])
            check(net.run(until: .seconds(40)) { $0.status(of: "node4", seenBy: 0) == .failed && $0.status(of: "observer", seenBy: 4) == .failed })
            net.heal()
            // Serf tries failed members again every 30 s; push/pull merges the halves.
            check(net.run(until: .seconds(180)) { allSeeAll($0) })
            #expect(net.undecodable == 0, "everything crossed the codecs")
        }
    }

    @Test func aRestartedMemberRejoinsUnderItsName() async throws {
        try await simulate {
            var net = cluster(3)
            check(net.run(until: .seconds(5)) { allSeeAll($0) })
            net.crash(3)
            check(net.run(until: .seconds(30)) { $0.status(of: "node3", seenBy: 0) == .failed })
            net.restart(3, tags: ["role": "backend", "version": "2"])
            check(net.join(3, via: 1))
            check(net.run(until: .seconds(10)) { $0.status(of: "node3", seenBy: 0) == .alive })
            #expect(net.nodes[0]!.members.first { $0.name == "node3" }?.tags["version"] == "2")
        }
    }

    @Test func fiftyMembersConverge() async throws {
        try await simulate {
            var net = SimulatedNetwork(seed: 3)
            for i in 0 ..< 50 { net.add("n\(i)") }
            for i in 1 ..< 50 { check(net.join(i, via: Int.random(in: 0 ..< i, using: &rngForTest))) }
            // Fifty joins at once overflow what gossip carries per round; the
            // periodic push/pull (30 s) settles the rest.
            check(net.run(until: .seconds(60)) { allSeeAll($0) })
            #expect(net.undecodable == 0, "everything crossed the codecs")
        }
    }
}

nonisolated(unsafe) private var rngForTest = SplitMix64(seed: 42)

/// `#expect` cannot take a call that mutates its operand; this takes the value.
func check(_ condition: Bool, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(condition, comment, sourceLocation: sourceLocation)
}
