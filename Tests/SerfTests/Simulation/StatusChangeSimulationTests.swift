import Memberlist
import Serf
import Testing

extension MembershipSimulationTests {
    /// What the dashboard's member history is made of: the native member
    /// says who suspected a crashed member, at which incarnation, before
    /// Serf reports it failed.
    @Test func aCrashIsRecordedAsSuspectedByAMemberThenFailed() async throws {
        try await simulate {
            var net = cluster(4)
            check(net.run(until: .seconds(5)) { allSeeAll($0) })
            let seen = net.statusChanges[0].count
            net.crash(3)
            check(net.run(until: .seconds(30)) { $0.status(of: "node3", seenBy: 0) == .failed })
            let changes = net.statusChanges[0][seen...].filter { $0.name == "node3" }
            #expect(changes.map(\.status) == [.suspect, .failed], "\(changes)")
            let names = Set(net.nodes.compactMap { $0?.name })
            #expect(changes.allSatisfy { $0.reportedBy.map(names.contains) == true }, "\(changes)")
            #expect(changes.first?.reportedBy != "node3")
        }
    }
}
