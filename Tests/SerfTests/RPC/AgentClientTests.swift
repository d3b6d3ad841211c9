import Foundation
import Serf
import Testing
import TestSupport

/// SerfAgentClient against real agents' RPC ports.
@Suite struct AgentClientTests {
    @Test func membersMatchWhatSerfMembersSays() async throws {
        let agents = try await SerfAgent.cluster(3, prefix: "rpcm") { i in var o = SerfAgent.Options(); o.tags = ["role": "r\(i)", "zone": "z"]; return o }
        try await eventually("all agents to know each other") { try await agents[0].members().count == 3 }
        let client = try await SerfAgentClient.connect(agents[0].rpcAddress)
        let ours = try await client.members()
        let theirs = try await agents[0].members()
        #expect(Set(ours.map(\.name)) == Set(theirs.keys))
        for m in ours {
            #expect(m.status.rawValue == theirs[m.name]?.status)
            #expect(m.tags == theirs[m.name]?.tags)
            #expect(m.address == "127.0.0.1")
            #expect(m.delegateCur == 5 && m.protocolMax == 5)
        }
        let filtered = try await client.members(tags: ["role": "r[12]"])
        #expect(Set(filtered.map(\.name)) == ["rpcm1", "rpcm2"])
        #expect(try await client.agentName() == "rpcm0")
        try await client.close()
    }

    /// A stopped agent keeps its connection open and answers nothing: a
    /// command ends with a clear error at the bound, and the agent, once
    /// running again, is reached on a new connection.
    @Test func aStoppedAgentIsAnErrorAtTheBoundNotAWaitForEver() async throws {
        let agent = try SerfAgent("rpc-stopped")
        try await agent.waitUntilReady()
        let client = try await SerfAgentClient.connect(agent.rpcAddress, callTimeout: .seconds(3))
        #expect(try await client.members().count == 1)
        try await Processes.halt(agent.daemon.pid)
        defer { kill(agent.daemon.pid, SIGCONT) }
        let start = ContinuousClock.now
        do {
            let members = try await client.members()
            Issue.record("a stopped agent answered: \(members)")
        } catch let error as AgentRPCError {
            #expect(error == .noAnswer(command: "members", address: agent.rpcAddress, after: .seconds(3)), "\(error)")
            #expect("\(error)".contains("did not answer 'members' within 3"), "\(error)")
        }
        #expect(ContinuousClock.now - start < .seconds(60))
        // The connection is given up: a later command fails at once.
        await #expect(throws: AgentRPCError.self) { try await client.members() }
        kill(agent.daemon.pid, SIGCONT)
        let again = try await SerfAgentClient.connect(agent.rpcAddress, callTimeout: .seconds(3))
        #expect(try await again.members().map(\.name) == ["rpc-stopped"])
        try await again.close()
    }

    /// A caller that is cancelled stops waiting at once, and the connection
    /// stays good: the late reply (a header and a member list) is read and
    /// dropped, so the next call gets its own answer, not that one.
    @Test func aCancelledCallEndsAtOnceAndTheConnectionStaysGood() async throws {
        let agent = try SerfAgent("rpc-cancel")
        try await agent.waitUntilReady()
        let client = try await SerfAgentClient.connect(agent.rpcAddress, callTimeout: .seconds(120))
        try await Processes.halt(agent.daemon.pid)
        defer { kill(agent.daemon.pid, SIGCONT) }
        let call = Task { try await client.members() }
        // Long enough for the request to be sent and waited on, even on a
        // busy machine: the abandoned reply is what this test is about.
        try await Task.sleep(for: .seconds(1))
        let start = ContinuousClock.now
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(ContinuousClock.now - start < .seconds(10))
        kill(agent.daemon.pid, SIGCONT)
        // The agent now answers the cancelled `members` first, then these.
        #expect(try await client.stats()["agent"]?["name"] == "rpc-cancel")
        #expect(try await client.members().map(\.name) == ["rpc-cancel"])
        try await client.close()
    }

    @Test func streamSeesJoinsFailuresLeavesAndUserEvents() async throws {
        let agents = try await SerfAgent.cluster(3, prefix: "rpcs")
        let client = try await SerfAgentClient.connect(agents[0].rpcAddress)
        let events = try await client.events()
        let late = try SerfAgent("rpcs-late", { var o = SerfAgent.Options(); o.join = [agents[0].gossipAddress]; return o }())
        try await late.waitUntilReady()
        try await agents[0].serf("event", ["hello", "world"])
        agents[2].crash()
        agents[1].leave()
        var seen: [String: MemberEventKind] = [:]
        var user: UserEvent?
        for try await event in events {
            switch event {
            case .member(let kind, let ms): for m in ms { seen[m.name] = kind }
            case .user(let e): user = e
            case .query, .notice, .status: break
            }
            if seen["rpcs-late"] == .join, seen["rpcs1"] == .leave, seen["rpcs2"] == .failed, user != nil { break }
        }
        #expect(user?.name == "hello" && user?.payload == Array("world".utf8))
        try await client.close()
    }

    /// The change signal comes from the agent's log as memberlist reports a
    /// join, ahead of the coalesced event stream (one to three seconds late),
    /// and the member list already holds the newcomer when it ticks.
    @Test(.timeLimit(.minutes(1))) func changeSignalTicksBeforeTheCoalescedEventAndTheListHasTheNewcomer() async throws {
        // At -log-level=warn, as the demo and the images run it: the
        // monitor stream still sees INFO.
        let agents = try await SerfAgent.cluster(2, prefix: "rpcc") { _ in
            var o = SerfAgent.Options(); o.logLevel = "warn"; return o
        }
        let client = try await SerfAgentClient.connect(agents[0].rpcAddress)
        let changes = try await client.membershipChanges()
        let events = try await client.events()
        let order = OrderLog()
        let watchChanges = Task {
            for try await _ in changes {
                // The tick's own time: reading the list after it may be slow
                // on a busy machine, and is not what is being timed.
                let ticked = ContinuousClock.now
                if try await client.members().contains(where: { $0.name == "rpcc-new" && $0.status == .alive }) {
                    await order.note("signal", at: ticked); return
                }
            }
        }
        let watchEvents = Task {
            for try await event in events {
                if case .member(.join, let ms) = event, ms.contains(where: { $0.name == "rpcc-new" }) {
                    await order.note("event", at: .now); return
                }
            }
        }
        let newcomer = try SerfAgent("rpcc-new", { var o = SerfAgent.Options(); o.join = [agents[0].gossipAddress]; return o }())
        try await newcomer.waitUntilReady()
        try await watchChanges.value
        try await watchEvents.value
        #expect(await order.entries == ["signal", "event"])
        try await client.close()
    }

    @Test func queriesRespondedOverRPCReachTheQuerier() async throws {
        let agents = try await SerfAgent.cluster(2, prefix: "rpcq")
        let responder = try await SerfAgentClient.connect(agents[1].rpcAddress)
        let stream = try await responder.events()
        let answering = Task {
            for try await event in stream {
                if case .query(let q) = event, q.name == "status" {
                    try await responder.respond(to: q, payload: Array("ok:\(String(decoding: q.payload, as: UTF8.self))".utf8))
                    return
                }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let querier = try await SerfAgentClient.connect(agents[0].rpcAddress)
        var acks: Set<String> = [], responses: [String: String] = [:]
        for try await reply in try await querier.query(QueryRequest(name: "status", payload: Array("x".utf8), requestAck: true,
                                                                      timeout: .seconds(5))) {
            switch reply {
            case .ack(let from): acks.insert(from)
            case .response(let from, let payload): responses[from] = String(decoding: payload, as: UTF8.self)
            }
        }
        try await answering.value
        #expect(acks == ["rpcq0", "rpcq1"])
        #expect(responses == ["rpcq1": "ok:x"])
    }

    @Test func authKeyIsRequiredAndChecked() async throws {
        let agent = try SerfAgent("rpca", { var o = SerfAgent.Options(); o.rpcAuth = "s3cret"; return o }())
        try await eventually("the agent to listen") { (try? await SerfAgentClient.connect(agent.rpcAddress, authKey: "s3cret")) != nil }
        let noKey = try await SerfAgentClient.connect(agent.rpcAddress)
        await #expect(throws: AgentRPCError.authRequired(address: agent.rpcAddress)) { try await noKey.members() }
        await #expect(throws: AgentRPCError.self) { try await SerfAgentClient.connect(agent.rpcAddress, authKey: "wrong") }
        let ok = try await SerfAgentClient.connect(agent.rpcAddress, authKey: "s3cret")
        #expect(try await ok.members().map(\.name) == ["rpca"])
    }

    @Test func nobodyListeningIsAClearError() async throws {
        let port = FreePort.next()
        do {
            _ = try await SerfAgentClient.connect("127.0.0.1:\(port)")
            Issue.record("connected to nothing")
        } catch let error as AgentRPCError {
            #expect("\(error)".contains("cannot reach the serf agent at 127.0.0.1:\(port)"))
            #expect("\(error)".contains("--join"))
        }
    }

    @Test func agentGoingAwayEndsTheStreamWithAnError() async throws {
        let agent = try SerfAgent("rpcgone")
        try await agent.waitUntilReady()
        let client = try await SerfAgentClient.connect(agent.rpcAddress)
        let events = try await client.events()
        agent.crash()
        await #expect(throws: AgentRPCError.self) { for try await _ in events {} }
        await #expect(throws: AgentRPCError.self) { try await client.members() }
    }

    @Test func commandsWorkThroughAnAgentWithRPC() async throws {
        let agents = try await SerfAgent.cluster(2, prefix: "rpccli") { i in var o = SerfAgent.Options(); o.tags = ["role": i == 0 ? "balancer" : "backend"]; return o }
        let members = try await SerftopBinary.run(["members", "--rpc", agents[0].rpcAddress, "--tag", "role=backend"])
        #expect(members.status == 0)
        #expect(members.output.hasPrefix("rpccli1"), "\(members.output)")
        let event = try await SerftopBinary.run(["event", "--rpc", agents[0].rpcAddress, "hi", "there"])
        #expect(event.status == 0, "\(event.output)")
        let gone = try await SerftopBinary.run(["members", "--rpc", "127.0.0.1:\(FreePort.next())"])
        #expect(gone.status != 0 && gone.output.contains("cannot reach the serf agent"))
    }
}

actor OrderLog {
    private var noted: [(String, ContinuousClock.Instant)] = []
    func note(_ s: String, at time: ContinuousClock.Instant) { noted.append((s, time)) }
    /// What was noted, in the order it happened.
    var entries: [String] { noted.sorted { $0.1 < $1.1 }.map(\.0) }
}
