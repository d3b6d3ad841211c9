import BalancerContract
@testable import Dashboard
import Foundation
import Serf
import Testing
import TestSupport

/// The runtime as the operator sees it, on a memory screen over a fake
/// cluster: keys in, frames and requests out.
@Suite struct DashboardRuntimeTests {
    @Test func membersAndTheirServersAppear() async throws {
        try await RuntimeHarness.with { h in
            try await h.waitFor("the members and the balancer's view of them") { text in
                let lines = text.split(separator: "\n")
                return text.contains("cluster: 3 members") && lines.contains { $0.contains("s1") && $0.contains("UP") }
                    && lines.contains { $0.contains("s2") && $0.contains("backend") }
            }
        }
    }

    @Test func drainIsAskedThenSentToTheBalancers() async throws {
        try await RuntimeHarness.with { h in
            try await h.select("s1")
            h.press(.char("d"))
            try await h.waitFor("the question") { $0.contains("Drain s1?") }
            #expect(await h.source.queries.isEmpty, "nothing is sent before the answer")
            h.press(.char("y"))
            try await eventually("the query", timeout: RuntimeHarness.patience) { await !h.source.queries.isEmpty }
            let query = try #require(await h.source.queries.first)
            #expect(query.name == BalancerQuery.server.name)
            #expect(query.filterTags == ["role": "^balancer$"])
            let payload = String(decoding: query.payload, as: UTF8.self)
            #expect(payload.contains("drain") && payload.contains("s1"), "\(payload)")
            try await h.waitFor("the balancer's answer") { $0.contains("ha: ok") }
        }
    }

    @Test func readOnlyRefusesAndSendsNothing() async throws {
        try await RuntimeHarness.with(readOnly: true) { h in
            try await h.waitFor("the read-only footer") { $0.contains("READ-ONLY") }
            try await h.select("s1")
            h.press(.char("d"))
            try await h.waitFor("the refusal") { $0.contains("read-only: actions are disabled") }
            h.press(.char("y"), .char("q"))
            try await eventually("the dashboard to stop", timeout: RuntimeHarness.patience) { await h.stopped.isSet }
            #expect(await h.source.queries.isEmpty)
            #expect(!h.text.contains("Drain s1?"))
        }
    }

    /// A notice (the local agent lost and back) is followed by the whole
    /// list at once, not at the tenth refresh: what changed meanwhile shows.
    @Test func aNoticeRereadsTheMemberList() async throws {
        // Ten refreshes take 100 s here: only the notice can bring s9 in time.
        try await RuntimeHarness.with(refresh: .seconds(10)) { h in
            try await h.waitFor("s2 on screen") { $0.contains("s2") }
            await h.source.replace(await h.source.list + [Member(name: "s9", address: "127.0.0.19", port: 7946, tags: ["role": "backend"])])
            await h.source.emit(.notice("the serf agent at 127.0.0.1:7373 answers again"))
            try await h.waitFor("s9, which joined while the agent was away") { $0.contains("s9") }
        }
    }

    @Test func qQuits() async throws {
        try await RuntimeHarness.with { h in
            try await h.waitFor("s1 on screen") { $0.contains("s1") }
            h.press(.char("q"))
            try await eventually("the dashboard to stop", timeout: RuntimeHarness.patience) { await h.stopped.isSet }
        }
    }

    /// Quitting cancels what the dashboard started and waits for it: a
    /// member read that never answers ends with the dashboard, not after it.
    @Test func quittingEndsTheWorkItStarted() async throws {
        try await RuntimeHarness.with { h in
            try await h.waitFor("s1 on screen") { $0.contains("s1") }
            await h.source.hangReads()
            try await eventually("a member read to hang", timeout: RuntimeHarness.patience) { await h.source.hanging > 0 }
            h.press(.char("q"))
            try await eventually("the dashboard to stop", timeout: RuntimeHarness.patience) { await h.stopped.isSet }
            let (hanging, cancelled) = (await h.source.hanging, await h.source.cancelledReads)
            #expect(cancelled == hanging, "\(hanging - cancelled) of \(hanging) hanging reads outlived the dashboard")
        }
    }

    /// `D`: the drain goes out at once; maint only once the stats show no session.
    @Test func drainThenMaintWaitsForTheSessionsToEnd() async throws {
        try await RuntimeHarness.with(sessions: ["s1": 3, "s2": 0]) { h in
            try await h.select("s1")
            h.press(.char("D"), .char("y"))
            try await h.waitFor("the drain's progress") { $0.contains("s1: draining, 3 sessions left") }
            let first = await h.source.queries.map { String(decoding: $0.payload, as: UTF8.self) }
            #expect(first.count == 1 && first[0].contains("drain"), "\(first)")
            h.stats.set("s1", sessions: 0)
            try await h.waitFor("maint") { $0.contains("s1: no sessions left, setting maint") }
            try await eventually("the maint query", timeout: RuntimeHarness.patience) { await h.source.queries.count == 2 }
            let second = String(decoding: await h.source.queries[1].payload, as: UTF8.self)
            #expect(second.contains("maint") && second.contains("s1"), "\(second)")
        }
    }
}
