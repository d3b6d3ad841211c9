import Foundation
import Serf
import Testing
import TestSupport

/// AgentSession against a real agent that stops answering and comes back.
@Suite struct AgentSessionTests {
    @Test func aSessionOutlivesAStoppedAgentAndItsEventsResume() async throws {
        let agent = try SerfAgent("session-agent")
        try await agent.waitUntilReady()
        let session = try await AgentSession.connect(agent.rpcAddress, timeout: .seconds(1), callTimeout: .seconds(1),
                                                     retryInterval: .milliseconds(200))
        let events = try await session.events()
        var iterator = events.makeAsyncIterator()

        kill(agent.daemon.pid, SIGSTOP)
        defer { kill(agent.daemon.pid, SIGCONT) }
        await #expect(throws: AgentRPCError.self) { try await session.members() }
        let lost = try await Self.nextNotice(&iterator)
        #expect(lost.contains("did not answer") || lost.contains("no answer"), "\(lost)")
        // While it is stopped, calls fail quickly and clearly: no wait for ever.
        let start = ContinuousClock.now
        await #expect(throws: AgentRPCError.self) { try await session.members() }
        #expect(ContinuousClock.now - start < .seconds(30))

        kill(agent.daemon.pid, SIGCONT)
        try await eventually("the session to reach the agent again", timeout: 30) {
            (try? await session.members())?.map(\.name) == ["session-agent"]
        }
        let back = try await Self.nextNotice(&iterator)
        #expect(back.contains("answers again"), "\(back)")
        // The same stream carries what happens after the return.
        #expect(try await agent.serf("event", ["after", "return"]).status == 0)
        var user: UserEvent?
        while user == nil, let event = try await iterator.next() {
            if case .user(let e) = event { user = e }
        }
        #expect(user?.name == "after" && user?.payload == Array("return".utf8))
        try await session.close()
    }

    @Test func aRefusalIsNotALoss() async throws {
        let agent = try SerfAgent("session-refusal")
        try await agent.waitUntilReady()
        let session = try await AgentSession.connect(agent.rpcAddress)
        // The agent refuses a join to nowhere; the connection stays.
        await #expect(throws: AgentRPCError.self) { _ = try await session.join(["127.0.0.1:1"]) }
        #expect(try await session.members().count == 1)
        try await session.close()
    }

    static func nextNotice(_ iterator: inout AsyncThrowingStream<SerfEvent, any Error>.AsyncIterator) async throws -> String {
        while let event = try await iterator.next() {
            if case .notice(let text) = event { return text }
        }
        return "(the stream ended)"
    }
}
