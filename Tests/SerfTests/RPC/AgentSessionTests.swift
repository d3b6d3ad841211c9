import Foundation
import Serf
import Testing
import TestSupport

/// AgentSession against a real agent that stops answering and comes back.
@Suite(.timeLimit(.minutes(2))) struct AgentSessionTests {
    @Test func aSessionOutlivesAStoppedAgentAndItsEventsResume() async throws {
        let agent = try SerfAgent("session-agent")
        try await agent.waitUntilReady()
        let session = try await AgentSession.connect(agent.rpcAddress, timeout: .seconds(2), callTimeout: .seconds(3),
                                                     retryInterval: .milliseconds(200))
        let events = EventLog(try await session.events())

        try await Processes.halt(agent.daemon.pid)
        defer { kill(agent.daemon.pid, SIGCONT) }
        await #expect(throws: AgentRPCError.self) { try await session.members() }
        try await eventually("the loss to be said", timeout: 30) { await events.notices.count >= 1 }
        let lost = await events.notices[0]
        #expect(lost.contains("did not answer") || lost.contains("no answer"), "\(lost)")
        // While it is stopped, calls fail quickly and clearly: no wait for ever.
        let start = ContinuousClock.now
        await #expect(throws: AgentRPCError.self) { try await session.members() }
        #expect(ContinuousClock.now - start < .seconds(30))

        kill(agent.daemon.pid, SIGCONT)
        try await eventually("the session to reach the agent again", timeout: 30) {
            (try? await session.members())?.map(\.name) == ["session-agent"]
        }
        try await eventually("the return to be said", timeout: 30) {
            await events.notices.contains { $0.contains("answers again") }
        }
        // The same stream carries what happens after the return (sent again
        // until seen: one sent while the stream resubscribes is not replayed).
        try await eventually("a user event after the return", timeout: 30, every: 1) {
            _ = try? await agent.serf("event", ["after", "return"])
            return await events.users.contains { $0.name == "after" && $0.payload == Array("return".utf8) }
        }
        try await session.close()
    }

    /// A reader that only listens hears of a stopped agent too: the stream
    /// asks the agent something once it has been quiet for the heartbeat,
    /// and that call's bound makes the silence a loss, said as a notice.
    @Test func aListenerAloneNoticesAStoppedAgent() async throws {
        let agent = try SerfAgent("session-listener")
        try await agent.waitUntilReady()
        let session = try await AgentSession.connect(agent.rpcAddress, timeout: .seconds(2), callTimeout: .seconds(2),
                                                     retryInterval: .milliseconds(200), heartbeat: .seconds(1))
        let events = EventLog(try await session.events())
        try await Task.sleep(for: .seconds(3))
        let early = await events.notices
        #expect(early.isEmpty, "a quiet agent that answers is no loss: \(early)")

        try await Processes.halt(agent.daemon.pid)
        defer { kill(agent.daemon.pid, SIGCONT) }
        // No call from here on: only the stream's own probe can tell.
        try await eventually("the loss to be said", timeout: 30) { await events.notices.count >= 1 }
        let lost = await events.notices
        #expect(lost[0].contains("did not answer 'stats'"), "\(lost)")

        kill(agent.daemon.pid, SIGCONT)
        try await eventually("the return to be said", timeout: 30) {
            await events.notices.contains { $0.contains("answers again") }
        }
        try await session.close()
    }

    /// A command the agent refuses leaves the connection as it was: the
    /// event stream sees no loss.
    @Test func aRefusalIsNotALoss() async throws {
        let agent = try SerfAgent("session-refusal")
        try await agent.waitUntilReady()
        let session = try await AgentSession.connect(agent.rpcAddress)
        let events = EventLog(try await session.events())
        await #expect(throws: AgentRPCError.self) { _ = try await session.join(["127.0.0.1:1"]) }
        #expect(try await session.members().count == 1)
        try await eventually("a user event on the stream", timeout: 30, every: 1) {
            _ = try? await agent.serf("event", ["still", "here"])
            return await !events.users.isEmpty
        }
        let notices = await events.notices
        #expect(notices.isEmpty, "\(notices)")
        try await session.close()
    }

    /// What a session's event stream delivered, gathered as it comes.
    actor EventLog {
        private(set) var notices: [String] = []
        private(set) var users: [UserEvent] = []

        init(_ stream: AsyncThrowingStream<SerfEvent, any Error>) {
            Task { await self.read(stream) }
        }

        private func read(_ stream: AsyncThrowingStream<SerfEvent, any Error>) async {
            do {
                for try await event in stream {
                    switch event {
                    case .notice(let text): notices.append(text)
                    case .user(let e): users.append(e)
                    default: break
                    }
                }
            } catch {}
        }
    }
}
