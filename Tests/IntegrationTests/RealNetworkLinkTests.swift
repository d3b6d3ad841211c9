import Foundation
import Testing
import TestSupport

extension RealNetworkTests {
    /// Bad links rather than bad input: UDP blocked, latency and loss, a
    /// partition. The kernel has no netem, so relays (Tests/NetRelay) make the
    /// first two: a member advertises its relay's address and everything sent
    /// to it crosses the relay.
    @Suite struct Links {
        /// a3 can send UDP but receives none (its relay drops it), so every
        /// probe of a3 lives on the TCP fallback. A member that suspects a3
        /// also gossips it, and a3 never hears that to refute it: one member
        /// without a working fallback gets a3 declared failed everywhere. So
        /// the same cluster without the observer runs beside it, at the same
        /// time on its own /24, to show serf agents alone keep a3 alive.
        @Test func withUDPBlockedToAnAgentTheObserverKeepsItAliveOverTCP() async throws {
            async let control = Self.udpBlockedAmongSerfAgentsOnly()
            let lab = try await NetLab.create("udpblock", subnet: 14, hosts: 4)
            defer { lab.close() }
            let c = try await RealNetworkTests.cluster(lab, agentHosts: [1, 2])
            let (blocked, relay) = try await Self.startBlockedAgent(lab, joining: c.seed)
            try await eventually("the observer to list a3", timeout: 30, every: 0.2) {
                c.observer.view()["a3"] == "alive"
            }
            try await Self.expectUDPBlocked(lab, blocked)

            let startIndex = c.observer.events().count
            let firstDown = try await Self.watchA3(for: 60, observer: c.observer, agents: [c.twin!, c.seed])
            let observerFailures = c.observer.failures(of: "a3", since: startIndex)
            let fallbacks = c.twin!.daemon.log.components(separatedBy: "Was able to connect to a3").count - 1
            let alone = try await control
            print("""
                [UDP blocked to a3, 60 s] with the observer: a3 not alive first at: \
                observer \(firstDown["observer"].map(secs) ?? "never"), \
                twin (serf agent beside it) \(firstDown["twin"].map(secs) ?? "never"), \
                \(c.seed.name) \(firstDown[c.seed.name].map(secs) ?? "never"); \
                observer member-failed events for a3: \(observerFailures); \
                the twin's TCP fallback to a3 succeeded \(fallbacks) times; relay: \(relay.log.split(separator: "\n").last ?? "")
                [UDP blocked to a3, 60 s] serf agents alone: a3 not alive first at: \
                twin \(alone.firstDown["twin"].map(secs) ?? "never"), a1 \(alone.firstDown["a1"].map(secs) ?? "never"); \
                TCP fallback to a3 succeeded \(alone.fallbacks) times
                """)
            #expect(alone.firstDown.isEmpty, "serf agents alone did not keep a3 alive either: the scenario does not test the fallback")
            #expect(firstDown["observer"] == nil, "a3 stopped being alive in the observer's view after \(firstDown["observer"].map(secs) ?? "")")
            #expect(observerFailures == 0, "the observer reported a3 failed \(observerFailures) times")
        }

        static func startBlockedAgent(_ lab: NetLab, joining seed: SerfAgent) async throws -> (SerfAgent, Daemon) {
            let h3 = lab.hosts[3]
            let relay = try await lab.relay(on: h3, to: "\(h3.address):7946", noUDP: true)
            let blocked = try RealNetworkTests.agent(lab, "a3", on: h3, join: [seed.reachableAddress],
                                                     advertise: "\(h3.relayAddress):7946")
            try await blocked.waitUntilReady()
            return (blocked, relay)
        }

        /// The relay really stops UDP to a3, and a3 itself answers.
        static func expectUDPBlocked(_ lab: NetLab, _ blocked: SerfAgent) async throws {
            let h3 = lab.hosts[3]
            let viaRelay = try await lab.ping(from: lab.hosts[1], "\(h3.relayAddress):7946", node: "a3", tries: 2)
            let direct = try await lab.ping(from: lab.hosts[1], "\(h3.address):7946", node: "a3")
            try #require(!viaRelay.acked && direct.acked, "relay: \(viaRelay.output); direct: \(direct.output)")
        }

        /// Seconds into the window at which each viewer first did not list a3 alive.
        static func watchA3(for seconds: Double, observer: NetObserver?, agents: [SerfAgent]) async throws -> [String: Double] {
            let start = Date()
            var firstDown: [String: Double] = [:]
            while Date().timeIntervalSince(start) < seconds {
                let t = Date().timeIntervalSince(start)
                if let observer, observer.view()["a3"] != "alive", firstDown["observer"] == nil { firstDown["observer"] = t }
                for agent in agents where firstDown[agent.name] == nil {
                    if await agent.status(of: "a3") != "alive" { firstDown[agent.name] = t }
                }
                try await Task.sleep(for: .seconds(1))
            }
            return firstDown
        }

        /// The same placement with serf agents only: twin on h0, a1, a2, a3 behind its relay.
        static func udpBlockedAmongSerfAgentsOnly() async throws -> (firstDown: [String: Double], fallbacks: Int) {
            let lab = try await NetLab.create("udpctl", subnet: 19, hosts: 4)
            defer { lab.close() }
            let seed = try RealNetworkTests.agent(lab, "a1", on: lab.hosts[1])
            try await seed.waitUntilReady()
            let twin = try RealNetworkTests.agent(lab, "twin", on: lab.hosts[0], port: 7947, rpcPort: 7374, join: [seed.reachableAddress])
            let a2 = try RealNetworkTests.agent(lab, "a2", on: lab.hosts[2], join: [seed.reachableAddress])
            try await twin.waitUntilReady()
            try await a2.waitUntilReady()
            let (blocked, _) = try await startBlockedAgent(lab, joining: seed)
            try await eventually("the twin to list a3", timeout: 30, every: 0.2) { await twin.status(of: "a3") == "alive" }
            try await expectUDPBlocked(lab, blocked)
            let firstDown = try await watchA3(for: 60, observer: nil, agents: [twin, seed])
            return (firstDown, twin.daemon.log.components(separatedBy: "Was able to connect to a3").count - 1)
        }

        @Test func delayAndLossEverywhereCauseNoMoreFalseFailuresThanInAnAgent() async throws {
            let lab = try await NetLab.create("lossy", subnet: 15, hosts: 6)
            defer { lab.close() }
            for h in lab.hosts {
                _ = try await lab.relay(on: h, to: "\(h.address):7946", delayMs: 50, loss: 0.05)
            }
            let c = try await RealNetworkTests.cluster(lab, agentHosts: [1, 2, 3, 4, 5], twin: false, relays: true)
            // serf logs each failure as it happens; its event handlers get
            // them coalesced, where a failure followed by a rejoin vanishes.
            func agentFailures() -> [String: Int] {
                var out: [String: Int] = [:]
                for a in c.agents { out[a.name] = a.daemon.log.components(separatedBy: "serf: EventMemberFailed:").count - 1 }
                return out
            }
            let agentsBefore = agentFailures()
            let observerIndex = c.observer.events().count
            let minutes = 2.0
            try await Task.sleep(for: .seconds(minutes * 60))
            let agentsAfter = agentFailures()
            let agentCounts = Dictionary(uniqueKeysWithValues: agentsAfter.map { ($0.key, $0.value - (agentsBefore[$0.key] ?? 0)) })
            let observerCount = c.observer.failures(since: observerIndex)
            let worstAgent = agentCounts.values.max() ?? 0
            let mean = Double(agentCounts.values.reduce(0, +)) / Double(max(1, agentCounts.count))
            let finalAgreement = await RealNetworkTests.viewsAgree(c, timeout: 30)
            print("""
                [50 ms + 5 % loss on every link, \(Int(minutes * 60)) s] false member-failed: observer \(observerCount); \
                serf agents \(agentCounts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) \
                (max \(worstAgent), mean \(String(format: "%.2f", mean))); \
                observer's events: \(c.observer.events().dropFirst(observerIndex).map { "\($0.event) \($0.name)" }); \
                member lists \(finalAgreement.agree ? "agree" : "differ: \(finalAgreement.detail)")
                """)
            #expect(observerCount <= worstAgent, "the observer reported \(observerCount) false failures, the serf agents at most \(worstAgent)")
            #expect(finalAgreement.agree, "\(finalAgreement.detail)")
        }

        @Test func aPartitionIsSeenFromBothSidesAndHealsWithinThirtySeconds() async throws {
            let lab = try await NetLab.create("split", subnet: 16, hosts: 5)
            defer { lab.close() }
            let c = try await RealNetworkTests.cluster(lab, agentHosts: [1, 2, 3, 4], twin: false)
            let minority = [lab.hosts[3], lab.hosts[4]]
            let farNames = ["a3", "a4"]
            let a3 = c.agents.first { $0.name == "a3" }!
            let everyone = Set(c.agents.map(\.name) + [c.observer.name])
            let nearNames = everyone.subtracting(farNames)

            try await lab.partition(minority)
            let cut = Date()
            var observerSawFailure: Double?
            var seedSawFailure: Double?
            var farSideSawFailure: Double?
            while Date().timeIntervalSince(cut) < 30 {
                let t = Date().timeIntervalSince(cut)
                if observerSawFailure == nil, farNames.allSatisfy({ c.observer.view()[$0] == "failed" }) { observerSawFailure = t }
                if seedSawFailure == nil, await farNames.asyncAllSatisfy({ await c.seed.status(of: $0) == "failed" }) { seedSawFailure = t }
                // The far side sees a failure: which member a3 probes first
                // is serf's random order, and its probing slows while no
                // nacks come back, so any member of the near side counts.
                if farSideSawFailure == nil, let v = try? await a3.view(),
                   nearNames.contains(where: { v[$0] == "failed" }) { farSideSawFailure = t }
                try await Task.sleep(for: .milliseconds(500))
            }
            try await lab.heal(minority)
            let healed = Date()
            var allAlive: [String: Double] = [:]
            while Date().timeIntervalSince(healed) < 60 && allAlive.count < c.agents.count + 1 {
                let t = Date().timeIntervalSince(healed)
                if allAlive["observer"] == nil {
                    let v = c.observer.view()
                    if everyone.subtracting([c.observer.name]).allSatisfy({ v[$0] == "alive" }) { allAlive["observer"] = t }
                }
                for a in c.agents where allAlive[a.name] == nil {
                    let v = (try? await a.view()) ?? [:]
                    if everyone.allSatisfy({ v[$0] == "alive" }) { allAlive[a.name] = t }
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            let gaps = (["observer"] + c.agents.map(\.name)).map { "\($0) \(allAlive[$0].map(secs) ?? "not within 60 s")" }
            print("""
                [partition {a3,a4} for 30 s] failures seen after: observer \(observerSawFailure.map(secs) ?? "never"), \
                \(c.seed.name) \(seedSawFailure.map(secs) ?? "never"), a3 (far side) sees a near-side member failed \
                \(farSideSawFailure.map(secs) ?? "never"); everyone alive again after the heal: \(gaps.joined(separator: ", ")); \
                observer now: \(describe(c.observer.view()))
                """)
            #expect(observerSawFailure != nil, "the observer never reported a3 and a4 failed")
            #expect(seedSawFailure != nil, "\(c.seed.name) never reported a3 and a4 failed")
            #expect(farSideSawFailure != nil, "a3 never reported a member of the near side failed")
            for name in ["observer"] + c.agents.map(\.name) {
                #expect((allAlive[name] ?? .infinity) <= 30, "\(name) did not list everyone alive within 30 s of the heal (\(allAlive[name].map(secs) ?? "not within 60 s"))")
            }
        }
    }
}
