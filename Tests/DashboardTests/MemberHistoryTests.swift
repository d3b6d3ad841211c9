@testable import Dashboard
import Foundation
import Serf
import Testing
import TerminalUI

/// Each member's status changes, from member events and lists (any source)
/// and from the native member's memberlist records.
@Suite struct MemberHistoryTests {
    let web = Member(name: "web1", address: "10.0.0.1", port: 7946, tags: ["role": "backend"])

    func member(_ status: MemberStatus) -> Member {
        var m = web
        m.status = status
        return m
    }

    func at(_ s: Double) -> Date { Fixture.now.addingTimeInterval(s) }

    @Test func roundTripsThroughSuspectOrFailedCountAsFlaps() {
        var h = MemberHistory()
        for (i, s) in [MemberStatus.alive, .suspect, .alive, .failed, .alive, .suspect, .failed, .alive, .alive].enumerated() {
            h.record(s, at: at(Double(i)))
        }
        #expect(h.flaps == 3)
        #expect(h.entries.map(\.status) == [.alive, .suspect, .alive, .failed, .alive, .suspect, .failed, .alive])
    }

    @Test func leavingIsNoFlap() {
        var h = MemberHistory()
        for s in [MemberStatus.alive, .leaving, .left, .alive] { h.record(s, at: Fixture.now) }
        #expect(h.flaps == 0)
    }

    @Test func theHistoryIsBounded() {
        var h = MemberHistory(capacity: 10)
        for i in 0 ..< 100 { h.record(i % 2 == 0 ? .alive : .suspect, at: at(Double(i))) }
        #expect(h.entries.count == 10)
        #expect(h.flaps == 49)
    }

    /// The native member's record arrives before Serf's member event for the
    /// same change: the event adds no second entry.
    @Test func detailsAndEventsOfOneChangeMakeOneEntry() {
        var model = ClusterModel()
        model.setMembers([web], at: at(0))
        model.apply(.status(MemberStatusChange(name: "web1", status: .suspect, incarnation: 3, reportedBy: "web2")), at: at(1))
        #expect(model.members["web1"]?.status == .suspect, "a suspicion shows in the row at once")
        model.apply(.status(MemberStatusChange(name: "web1", status: .alive, incarnation: 4, refuted: true)), at: at(2))
        model.apply(.status(MemberStatusChange(name: "web1", status: .suspect, incarnation: 4, reportedBy: "web3")), at: at(3))
        model.apply(.status(MemberStatusChange(name: "web1", status: .failed, incarnation: 4, reportedBy: "web3")), at: at(4))
        model.apply(.member(.failed, [member(.failed)]), at: at(4))
        model.apply(.status(MemberStatusChange(name: "web1", status: .alive, incarnation: 5)), at: at(5))
        model.apply(.member(.join, [web]), at: at(5))
        #expect(model.members["web1"]?.status == .alive)
        let h = try! #require(model.memberHistory["web1"])
        #expect(h.entries.map(\.status) == [.alive, .suspect, .alive, .suspect, .failed, .alive])
        #expect(h.entries[1].reportedBy == "web2" && h.entries[1].incarnation == 3)
        #expect(h.entries[2].refuted)
        #expect(h.flaps == 2)
        #expect(model.rows().first { $0.name == "web1" }?.flaps == 2)
        #expect(model.historyHasDetails)
    }

    /// With an agent over RPC there are member events only: the history
    /// says so, and still counts failed → alive.
    @Test func fromMemberEventsOnlyTheHistorySaysSo() throws {
        var model = ClusterModel()
        model.setMembers([web], at: at(0))
        model.apply(.member(.failed, [member(.failed)]), at: at(10))
        model.apply(.member(.join, [web]), at: at(20))
        #expect(model.rows().first?.flaps == 1)
        let lines = MemberHistoryLines.lines(model.memberHistory["web1"], hasDetails: model.historyHasDetails,
                                             flap: "↻", now: at(30)).map(\.0)
        #expect(lines[0].contains("↻1"))
        #expect(lines[1].contains("member events only"))
        #expect(lines.count == 5)
        #expect(lines[2].contains("alive") && lines[3].contains("failed"))
    }

    @Test func theRowAndTheDetailsPaneShowIt() throws {
        var model = try Fixture.model()
        let s1 = try #require(model.members["s1"])
        var down = s1
        down.status = .suspect
        for i in 0 ..< 3 {
            model.apply(.status(MemberStatusChange(name: "s1", status: .suspect, incarnation: UInt32(2 * i + 1), reportedBy: "s3")),
                        at: at(Double(-100 + 10 * i)))
            model.apply(.status(MemberStatusChange(name: "s1", status: .alive, incarnation: UInt32(2 * i + 2), refuted: true)),
                        at: at(Double(-95 + 10 * i)))
        }
        let view = DashboardView(glyphs: .unicode)
        let grid = view.render(model, DashboardState(), width: 120, height: 30, now: Fixture.now)
        let row = try #require((0 ..< grid.height).map(grid.line).first { $0.hasPrefix(" s1 ") })
        #expect(row.contains("alive ↻3"), "\(row)")
        var state = DashboardState()
        state.mode = .details(node: "s1", scroll: 0)
        let details = view.render(model, state, width: 120, height: 40, now: Fixture.now).text
        #expect(details.contains("history  ↻3: 3 times alive again after suspect or failed"))
        #expect(details.contains("suspect  incarnation 5, reported by s3"))
        #expect(details.contains("alive    incarnation 6, refuted the suspicion"))
        #expect(!details.contains("member events only"))
    }
}
