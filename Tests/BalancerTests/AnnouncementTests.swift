@testable import Balancer
import BalancerContract
import HAProxy
import Logging
import Serf
import Testing

/// What the daemon tells the cluster after an apply.
@Suite struct AnnouncementTests {
    /// Keeps the user events sent; nothing else is asked of it.
    actor Recorder: MembershipSource {
        private(set) var sent: [UserEvent] = []
        func members() async throws -> [Member] { [] }
        func events() async throws -> AsyncThrowingStream<SerfEvent, any Error> { AsyncThrowingStream { _ in } }
        func sendUserEvent(name: String, payload: [UInt8], coalesce: Bool) async throws {
            sent.append(UserEvent(ltime: UInt64(sent.count), name: name, payload: payload, coalesce: coalesce))
        }
        func query(_ request: QueryRequest) async throws -> AsyncThrowingStream<QueryReply, any Error> { AsyncThrowingStream { $0.finish() } }
        func querySender() async throws -> (name: String, queryTime: UInt64) { ("ha", 1) }
        func respond(to query: QueryEvent, payload: [UInt8]) async throws {}
        func join(_ addresses: [String]) async throws -> Int { 0 }
        func close() async throws {}
    }

    static func servers(_ names: String...) -> [BackendServer] {
        names.map { BackendServer(name: try! HAProxyName($0), address: "10.0.0.1", port: 3000) }
    }

    func announced(_ recorder: Recorder, count: Int) async throws -> [UserEvent] {
        for _ in 0 ..< 200 where await recorder.sent.count < count { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(50))
        return await recorder.sent
    }

    @Test func eachApplyIsAnnouncedOnceWithWhatChanged() async throws {
        let recorder = Recorder()
        let daemon = BalancerDaemon(settings: BalancerSettings(templatePath: "/nonexistent", configPath: "/nonexistent"),
                                    logger: Logger(label: "test"))
        await daemon.announce(through: recorder)
        await daemon.announce(ApplyResult(kind: .reloaded, servers: 2, message: "ok"),
                              from: Self.servers("s1", "s2"), to: Self.servers("s1", "s3"))
        var sent = try await announced(recorder, count: 1)
        #expect(sent.count == 1)
        #expect(sent.allSatisfy { $0.name == BalancerAnnouncement.eventName && !$0.coalesce })
        let reload = try BalancerAnnouncement(payload: sent[0].payload)
        #expect(reload == BalancerAnnouncement(balancer: "ha", kind: .reloaded, servers: 2, reload: 0,
                                               added: ["s3"], removed: ["s2"]))

        // A render that fails the same way at every retry is told once.
        let failed = ApplyResult(kind: .failed, servers: 3, message: "[ALERT] unknown keyword")
        for _ in 0 ..< 3 { await daemon.announce(failed, from: Self.servers("s1"), to: Self.servers("s1", "s2", "s4")) }
        await daemon.announce(ApplyResult(kind: .unchanged, servers: 1, message: ""), from: [], to: [])
        sent = try await announced(recorder, count: 2)
        #expect(sent.count == 2)
        let refusal = try BalancerAnnouncement(payload: sent[1].payload)
        #expect(refusal.kind == .refused && refusal.reason == "[ALERT] unknown keyword" && refusal.added == ["s2", "s4"])
    }
}

extension BalancerDaemon {
    func announce(through source: any MembershipSource) { announcer = source }
}
