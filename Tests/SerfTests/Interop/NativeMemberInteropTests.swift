import Foundation
import Memberlist
import Serf
import Testing
import TestSupport

/// The native member against real `serf agent` 0.9.4 processes, on plain,
/// encrypted, and encrypted + compressed clusters.
@Suite struct NativeMemberInteropTests {
    struct Cluster {
        let agents: [SerfAgent]
        let key: String
        let kind: ClusterKind
        let handlerLog: URL
    }

    /// Three agents: a balancer and two backends; the backends record user
    /// events to a file and answer the `ping` query.
    func cluster(_ kind: ClusterKind) async throws -> Cluster {
        let key = SerfAgent.makeKey()
        let dir = TemporaryDirectory.shared.make("handlers")
        let log = dir.appendingPathComponent("events.log")
        let userHandler = dir.appendingPathComponent("user.sh")
        try "#!/bin/sh\necho \"$SERF_SELF_NAME $SERF_USER_EVENT $(cat)\" >> \(log.path)\n".write(to: userHandler, atomically: true, encoding: .utf8)
        let queryHandler = dir.appendingPathComponent("query.sh")
        try "#!/bin/sh\necho \"pong from $SERF_SELF_NAME: $(cat)\"\n".write(to: queryHandler, atomically: true, encoding: .utf8)
        for f in [userHandler, queryHandler] { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: f.path) }
        let agents = try await SerfAgent.cluster(3, prefix: "\(kind.rawValue)-agent") { i in
            var o = kind.options(key: key)
            o.tags = ["role": i == 0 ? "balancer" : "backend"]
            if i > 0 { o.eventHandlers = ["user=\(userHandler.path)", "query:ping=\(queryHandler.path)"] }
            return o
        }
        return Cluster(agents: agents, key: key, kind: kind, handlerLog: log)
    }

    func observer(_ name: String, in cluster: Cluster) async throws -> SerfMember {
        var config = SerfMemberConfig(nodeName: name, tags: ["role": "observer"])
        config.bindHost = "127.0.0.1"
        config.bindPort = 0
        if cluster.kind.usesKey { config.keys = [try Keyring.decodeKey(cluster.key)] }
        let member = try await SerfMember.start(config)
        _ = try await member.join([cluster.agents[1].gossipAddress])
        return member
    }

    func keyArguments(_ cluster: Cluster) -> [String] {
        cluster.kind.usesKey ? ["--encrypt", cluster.key] : []
    }

    @Test(arguments: ClusterKind.allCases)
    func observerIsAliveEverywhereAndListsEveryAgent(kind: ClusterKind) async throws {
        let c = try await cluster(kind)
        let me = try await observer("obs-\(kind.rawValue)", in: c)
        for agent in c.agents {
            try await eventually("\(agent.name) to list the observer alive with role=observer") {
                let m = try await agent.members()["obs-\(kind.rawValue)"]
                return m?.status == "alive" && m?.tags == ["role": "observer"]
            }
        }
        // Suspicion that a late ack raised (two busy cores, nine agents) is
        // refuted within a probe round or two; the list must settle on alive.
        try await eventually("the observer to list every agent alive") {
            let seen = try await me.members()
            return c.agents.allSatisfy { a in seen.first { $0.name == a.name }?.status == .alive }
        }
        let seen = try await me.members()
        for agent in c.agents {
            let m = seen.first { $0.name == agent.name }
            #expect(m?.tags["role"] == (agent === c.agents[0] ? "balancer" : "backend"))
            #expect(m?.port == agent.bindPort)
        }
        try await me.leave()
        let start = Date()
        try await eventually("every agent to show the observer left", timeout: 2) {
            await c.agents.asyncAllSatisfy { await $0.status(of: "obs-\(kind.rawValue)") == "left" }
        }
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test(arguments: ClusterKind.allCases)
    func killedAgentIsFailedAndInterruptedOneIsLeft(kind: ClusterKind) async throws {
        let c = try await cluster(kind)
        let me = try await observer("obs-fail-\(kind.rawValue)", in: c)
        defer { Task { try? await me.leave() } }
        try await eventually("the observer to see all agents") { try await me.members().filter { $0.status == .alive }.count == 4 }
        let events = try await me.events()
        c.agents[2].crash()
        c.agents[1].leave()
        try await eventually("agent2 failed and agent1 left, seen by the observer", timeout: 30) {
            let m = try await me.members()
            return m.first { $0.name == c.agents[2].name }?.status == .failed
                && m.first { $0.name == c.agents[1].name }?.status == .left
        }
        var kinds: [String: MemberEventKind] = [:]
        for try await event in events {
            if case .member(let k, let ms) = event, k == .failed || k == .leave { for m in ms { kinds[m.name] = k } }
            if kinds.count == 2 { break }
        }
        #expect(kinds[c.agents[2].name] == .failed)
        #expect(kinds[c.agents[1].name] == .leave)
    }

    @Test(arguments: ClusterKind.allCases)
    func agentQueriesGetTheObserversAck(kind: ClusterKind) async throws {
        let c = try await cluster(kind)
        let me = try await observer("obs-ack-\(kind.rawValue)", in: c)
        defer { Task { try? await me.leave() } }
        try await eventually("agent0 to see the observer") { await c.agents[0].status(of: "obs-ack-\(kind.rawValue)") == "alive" }
        // A query's 2 s can run out on a loaded machine before the gossip
        // reaches us; a later one must then be acked.
        var result: (status: Int32, output: String) = (0, "")
        for _ in 0 ..< 3 {
            result = try await c.agents[0].serf("query", ["-timeout=2s", "-format=json", "whoami"])
            if result.output.contains("\"obs-ack-\(kind.rawValue)\"") { break }
        }
        #expect(result.status == 0)
        #expect(result.output.contains("\"obs-ack-\(kind.rawValue)\""), "acks: \(result.output)")
        // serf reachability uses _serf_ping with acks.
        let reach = try await c.agents[0].serf("reachability", [])
        #expect(reach.output.contains("Successfully contacted all"), "\(reach.output)")
    }

    @Test(arguments: ClusterKind.allCases)
    func monitorPrintsAgentEventsAndLeavesOnInterrupt(kind: ClusterKind) async throws {
        let c = try await cluster(kind)
        let name = "obs-mon-\(kind.rawValue)"
        let monitor = try SerftopBinary.start("monitor", ["monitor", "--join", c.agents[0].gossipAddress, "--bind", "127.0.0.1:0",
                                                          "--node", name] + keyArguments(c))
        try await eventually("the monitor to join") { await c.agents[0].status(of: name) == "alive" }
        #expect(try await c.agents[0].serf("event", ["deploy", "v42"]).status == 0)
        try await eventually("the monitor to print the event", timeout: 10) { monitor.log.contains("user deploy v42") }
        await monitor.stop(signal: SIGINT)
        #expect(monitor.exitStatus == 0, "\(monitor.log)")
        try await eventually("the agents to show the monitor left", timeout: 2) {
            await c.agents.asyncAllSatisfy { await $0.status(of: name) == "left" }
        }
    }

    @Test(arguments: ClusterKind.allCases)
    func eventCommandRunsTheAgentsHandlers(kind: ClusterKind) async throws {
        let c = try await cluster(kind)
        let result = try await SerftopBinary.run(["event", "--join", c.agents[0].gossipAddress, "--bind", "127.0.0.1:0",
                                            "--coalesce=false"] + keyArguments(c) + ["deploy", "build-7"])
        #expect(result.status == 0, "\(result.output)")
        try await eventually("both backends' handlers to record the event", timeout: 10) {
            let log = (try? String(contentsOf: c.handlerLog, encoding: .utf8)) ?? ""
            return log.contains("\(c.agents[1].name) deploy build-7") && log.contains("\(c.agents[2].name) deploy build-7")
        }
    }

    @Test(arguments: ClusterKind.allCases)
    func queryCommandGetsHandlerResponsesFilteredByTag(kind: ClusterKind) async throws {
        let c = try await cluster(kind)
        let result = try await SerftopBinary.run(["query", "--join", c.agents[0].gossipAddress, "--bind", "127.0.0.1:0",
                                            "--tag", "role=^backend$", "--timeout", "3s", "--format", "json"]
                                           + keyArguments(c) + ["ping", "hello"])
        #expect(result.status == 0, "\(result.output)")
        let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let responses = json?["Responses"] as? [String: String] ?? [:]
        #expect(responses == [c.agents[1].name: "pong from \(c.agents[1].name): hello",
                              c.agents[2].name: "pong from \(c.agents[2].name): hello"])
        #expect(Set(json?["Acks"] as? [String] ?? []) == [c.agents[1].name, c.agents[2].name])
    }

    @Test func membersCommandListsTheClusterAsSerfDoes() async throws {
        let c = try await cluster(.plain)
        let result = try await SerftopBinary.run(["members", "--join", c.agents[0].gossipAddress, "--bind", "127.0.0.1:0",
                                            "--status", "alive", "--tag", "role=backend"])
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines.map { $0[0] } == [c.agents[1].name, c.agents[2].name])
        #expect(lines[0] == [c.agents[1].name, c.agents[1].gossipAddress, "alive", "role=backend"])
        let json = try await SerftopBinary.run(["members", "--join", c.agents[0].gossipAddress, "--bind", "127.0.0.1:0", "--format", "json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let names = (parsed?["members"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(Set(names).isSuperset(of: c.agents.map(\.name)))
    }

    /// The member's one timer follows the core's deadlines: idle among
    /// agents it wakes about once per probe, not on a polling beat, and
    /// the pings the agents send it do not wake the timer.
    @Test func anIdleMemberWakesOnlyForItsDeadlines() async throws {
        let c = try await cluster(.plain)
        let me = try await observer("obs-idle", in: c)
        try await Task.sleep(for: .seconds(5))
        let before = await me.wakeUps
        try await Task.sleep(for: .seconds(10))
        let woken = await me.wakeUps - before
        // 10 probes at 1 s, and the odd gossip round, push/pull or reap.
        #expect((8 ... 16).contains(woken), "\(woken) wake-ups in 10 s")
        try await me.leave()
    }

    /// `members` reads the seed's state and leaves no trace: no member joins,
    /// so none has to leave. What it prints is the seed's own view, a
    /// departed member's status included, in every kind of cluster.
    @Test(arguments: ClusterKind.allCases)
    func membersCommandReadsTheSeedsViewWithoutJoining(kind: ClusterKind) async throws {
        let c = try await cluster(kind)
        c.agents[2].leave()
        try await eventually("\(c.agents[0].name) to see \(c.agents[2].name) left") {
            try await c.agents[0].members()[c.agents[2].name]?.status == "left"
        }
        let result = try await SerftopBinary.run(["members", "--join", c.agents[0].gossipAddress, "--bind", "127.0.0.1:0",
                                                  "--format", "json"] + keyArguments(c))
        #expect(result.status == 0, "\(result.output)")
        let parsed = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let listed = (parsed?["members"] as? [[String: Any]] ?? []).compactMap { entry -> (String, String)? in
            guard let name = entry["name"] as? String, let status = entry["status"] as? String else { return nil }
            return (name, status)
        }
        let seen = try await c.agents[0].members()
        #expect(Dictionary(uniqueKeysWithValues: listed) == seen.mapValues(\.status))
        // Had it joined, the seed would list it (alive, then left) for a day.
        try await Task.sleep(for: .seconds(1))
        #expect(try await c.agents[0].members().count == 3)
        #expect(try await c.agents[1].members().count == 3)
    }

    @Test func unreachableSeedIsAClearErrorAndNonZeroExit() async throws {
        let port = FreePort.next()
        let result = try await SerftopBinary.run(["members", "--join", "127.0.0.1:\(port)", "--bind", "127.0.0.1:0"])
        #expect(result.status != 0)
        #expect(result.output.contains("could not join the cluster"))
        #expect(result.output.contains("127.0.0.1:\(port)"))
    }

    @Test func wrongKeyCannotJoinAndSaysWhy() async throws {
        let c = try await cluster(.encrypted)
        let result = try await SerftopBinary.run(["members", "--join", c.agents[0].gossipAddress, "--bind", "127.0.0.1:0",
                                            "--encrypt", SerfAgent.makeKey()])
        #expect(result.status != 0)
        #expect(result.output.contains("could not join"), "\(result.output)")
    }
}
