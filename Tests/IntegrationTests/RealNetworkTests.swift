import Foundation
import Testing
import TestSupport

/// serftop's gossip member on real links between network namespaces, beside
/// real serf agents placed the same way in the same run. These need root;
/// without network namespaces they fail, they do not skip.
///
/// One at a time: they measure timing and memory, which a neighbour's load
/// would blur, and each lab owns its /24 (10.77.1x.0/24) and namespaces.
@Suite(.serialized) struct RealNetworkTests {
    /// h0: the observer (`serftop monitor`, 7946) and, as `twin`, a serf
    /// agent in the same namespace (7947), so both see exactly the same
    /// link. Agents `a<i>` on the other hosts; `a<first>` is the seed.
    struct Cluster {
        let lab: NetLab
        let observer: NetObserver
        let twin: SerfAgent?
        let agents: [SerfAgent]
        var seed: SerfAgent { agents[0] }
        var observerHost: NetLab.Host { observer.host }
    }

    static func agent(_ lab: NetLab, _ name: String, on h: NetLab.Host, port: UInt16 = 7946, rpcPort: UInt16 = 7373,
                      join: [String] = [], advertise: String? = nil) throws -> SerfAgent {
        var o = SerfAgent.Options()
        o.placement = .init(namespace: h.namespace, address: h.address, bindPort: port, rpcPort: rpcPort)
        o.join = join
        o.advertise = advertise
        o.profile = "lan"
        return try SerfAgent(name, o)
    }

    /// The seed first, then the observer joins it, then everyone else: the
    /// observer's view is complete only that way (see NetObserver).
    static func cluster(_ lab: NetLab, agentHosts: [Int], twin: Bool = true, relays: Bool = false) async throws -> Cluster {
        func advertise(_ h: NetLab.Host) -> String? { relays ? "\(h.relayAddress):7946" : nil }
        let seedHost = lab.hosts[agentHosts[0]]
        let seed = try agent(lab, "a\(seedHost.index)", on: seedHost, advertise: advertise(seedHost))
        try await seed.waitUntilReady()
        let h0 = lab.hosts[0]
        let observer = try NetObserver(lab, on: h0, join: seed, advertise: advertise(h0))
        try await eventually("the seed to list the observer", timeout: 30, every: 0.2) {
            guard observer.daemon.isRunning else { throw ObserverDied(log: observer.daemon.log) }
            return await seed.status(of: observer.name) == "alive"
        }
        var agents = [seed]
        var twinAgent: SerfAgent?
        if twin {
            twinAgent = try agent(lab, "twin", on: h0, port: 7947, rpcPort: 7374, join: [seed.reachableAddress])
        }
        for i in agentHosts.dropFirst() {
            let h = lab.hosts[i]
            agents.append(try agent(lab, "a\(i)", on: h, join: [seed.reachableAddress], advertise: advertise(h)))
        }
        for a in agents + [twinAgent].compactMap({ $0 }) { try await a.waitUntilReady() }
        let everyone = Set(agents.map(\.name) + [twinAgent?.name, observer.name].compactMap { $0 })
        try await eventually("the seed to list \(everyone.count) members alive", timeout: 60, every: 0.2) {
            let v = try await seed.view()
            return Set(v.filter { $0.value == "alive" }.keys) == everyone
        }
        let c = Cluster(lab: lab, observer: observer, twin: twinAgent, agents: agents)
        let settled = await viewsAgree(c, timeout: 60)
        try #require(settled.agree, "the observer never agreed with the seed before the test began: \(settled.detail)")
        return c
    }

    struct ObserverDied: Error, CustomStringConvertible {
        let log: String
        var description: String { "serftop monitor exited:\n\(log.suffix(3000))" }
    }

    /// Whether the observer's member list equals the seed's (the observer
    /// itself left out of both) within `timeout`, and stays equal for `hold`
    /// seconds: a member that cannot hear anyone any more keeps a stale list
    /// that still matches for a while. `seconds`: until it first matched.
    /// `only`: compare these members alone (after a flood of random
    /// datagrams, the seed may list members that never existed).
    static func viewsAgree(_ c: Cluster, timeout: Double, hold: Double = 0,
                           only: Set<String>? = nil) async -> (agree: Bool, seconds: Double, detail: String) {
        let start = Date()
        var equalSince: Date?
        var detail = ""
        while true {
            guard c.observer.daemon.isRunning else { return (false, Date().timeIntervalSince(start), "the observer exited") }
            var seen = c.observer.view()
            // A serf agent takes an `alive` with no name from a flood of
            // random datagrams and gossips it on; no real member has one.
            // The observer refuses such messages: it must never list one.
            if seen.keys.contains("") { detail = "the observer lists a member with no name"; equalSince = nil }
            if var truth = try? await c.seed.view(without: c.observer.name), !seen.keys.contains("") {
                truth[""] = nil
                if let only {
                    truth = truth.filter { only.contains($0.key) }
                    seen = seen.filter { only.contains($0.key) }
                }
                if seen == truth {
                    let since = equalSince ?? Date()
                    equalSince = since
                    if Date().timeIntervalSince(since) >= hold { return (true, since.timeIntervalSince(start), "") }
                } else {
                    equalSince = nil
                    detail = "observer: \(describe(seen)); \(c.seed.name): \(describe(truth))"
                }
            }
            if Date().timeIntervalSince(start) > timeout + hold {
                return (false, Date().timeIntervalSince(start), detail)
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    /// After a disturbance: both the observer and its twin keep their UDP
    /// socket (the same one), answer a ping from another host, and the
    /// observer's member list comes to equal the seed's.
    static func expectStillServing(_ c: Cluster, after what: String,
                                   sockets before: (observer: NetLab.Socket?, twin: NetLab.Socket?),
                                   agreeWithin timeout: Double = 30, twinMustSurvive: Bool = true,
                                   only: Set<String>? = nil) async throws {
        let lab = c.lab
        let pinger = lab.hosts.first { $0.address == c.seed.host } ?? lab.hosts[1]
        let observerSocket = try await lab.udpSocket(on: c.observerHost, c.observer.gossipAddress)
        let observerPing = try await lab.ping(from: pinger, c.observer.gossipAddress, node: c.observer.name)
        var twinSocket: NetLab.Socket?
        var twinPing = (acked: false, output: "no twin")
        if let twin = c.twin {
            twinSocket = try await lab.udpSocket(on: c.observerHost, twin.gossipAddress)
            twinPing = try await lab.ping(from: pinger, twin.gossipAddress, node: twin.name)
        }
        let agreement = await viewsAgree(c, timeout: timeout, hold: 10, only: only)
        let seedSeesObserver = await c.seed.status(of: c.observer.name)
        print("""
            [\(what)] observer: socket \(observerSocket.map { "open ino:\($0.inode)" } ?? "GONE") \
            (before ino:\(before.observer?.inode ?? "-")), ping: \(observerPing.output), \
            process \(c.observer.daemon.isRunning ? "running" : "exited"); \
            member list \(agreement.agree ? "equals \(c.seed.name)'s from \(secs(agreement.seconds)) on, for 10 s" : "differs: \(agreement.detail)"); \
            \(c.seed.name) sees observer \(seedSeesObserver ?? "?") | \
            twin (serf agent, same namespace): socket \(twinSocket.map { "open ino:\($0.inode)" } ?? "GONE"), ping: \(twinPing.output)
            """)
        #expect(observerSocket != nil, "[\(what)] the observer's UDP socket \(c.observer.gossipAddress) is gone from `ss -uanp`")
        #expect(observerSocket?.inode == before.observer?.inode, "[\(what)] the observer's UDP socket is not the same one")
        #expect(observerPing.acked, "[\(what)] the observer does not answer a ping: \(observerPing.output)")
        #expect(agreement.agree, "[\(what)] the observer's member list never equalled \(c.seed.name)'s: \(agreement.detail)")
        #expect(seedSeesObserver == "alive", "[\(what)] \(c.seed.name) sees the observer \(seedSeesObserver ?? "nowhere")")
        if c.twin != nil && twinMustSurvive {
            #expect(twinSocket != nil, "[\(what)] the serf agent's socket is gone too")
            #expect(twinPing.acked, "[\(what)] the serf agent does not answer a ping either: \(twinPing.output)")
        }
    }

    static func sockets(_ c: Cluster) async throws -> (observer: NetLab.Socket?, twin: NetLab.Socket?) {
        let o = try await c.lab.udpSocket(on: c.observerHost, c.observer.gossipAddress)
        let t = c.twin == nil ? nil : try await c.lab.udpSocket(on: c.observerHost, c.twin!.gossipAddress)
        try #require(o != nil, "the observer has no UDP socket on \(c.observer.gossipAddress) to begin with")
        return (o, t)
    }

    /// Which other members `agent` lists as not alive: name → status.
    static func notAlive(_ agent: SerfAgent) async -> [String: String] {
        ((try? await agent.view()) ?? [:]).filter { $0.value != "alive" }
    }
}

/// Seconds with one decimal, for the figures the tests print.
func secs(_ t: Double) -> String { String(format: "%.1f s", t) }
