@testable import Dashboard
import Serf
import Testing
import TerminalUI

/// The reducer: keys in, state and effects out.
@Suite struct DashboardStateTests {
    func context(canProvision: Bool = false) throws -> DashboardState.Context {
        let model = try Fixture.model()
        return .init(rows: model.rows(), layout: DashboardLayout(width: 100, height: 30, showEvents: true),
                     canProvision: canProvision, nextNodeName: "s5")
    }

    @Test func actionsNeedConfirmation() throws {
        var state = DashboardState()
        let c = try context()
        state.selected = "s1"
        #expect(state.handle(.char("d"), context: c).isEmpty)
        guard case .confirm(.server(.drain, node: "s1"), _) = state.mode else { Issue.record("no confirmation: \(state.mode)"); return }
        #expect(state.handle(.char("y"), context: c) == [.perform(.server(.drain, node: "s1"))])
        #expect(state.mode == .normal)
        _ = state.handle(.char("m"), context: c)
        #expect(state.handle(.char("n"), context: c).isEmpty, "anything but y cancels")
        #expect(state.notice?.contains("cancelled") == true)
    }

    @Test func drainThenMaintAddAndReload() throws {
        var state = DashboardState()
        state.selected = "s3"
        _ = state.handle(.char("D"), context: try context())
        #expect(state.handle(.char("y"), context: try context()) == [.perform(.drainThenMaint(node: "s3"))])
        _ = state.handle(.char("a"), context: try context(canProvision: true))
        #expect(state.handle(.char("y"), context: try context()) == [.perform(.provision(name: "s5"))])
        _ = state.handle(.char("a"), context: try context(canProvision: false))
        for c in "10.0.0.7:7946" { _ = state.handle(.char(c), context: try context()) }
        #expect(state.handle(.enter, context: try context()) == [.perform(.join(address: "10.0.0.7:7946"))])
        _ = state.handle(.char("R"), context: try context())
        #expect(state.handle(.char("y"), context: try context()) == [.perform(.reload)])
    }

    /// Only `y` says yes: Enter, Escape and any other key decline.
    @Test func onlyYConfirms() throws {
        let c = try context()
        for key: Key in [.enter, .escape, .char("m"), .char("n"), .click(x: 1, y: 3), .up, .tab] {
            var state = DashboardState()
            state.selected = "s1"
            _ = state.handle(.char("d"), context: c)
            #expect(state.handle(key, context: c).isEmpty, "\(key) must not confirm")
            #expect(state.mode == .normal)
        }
        var state = DashboardState()
        state.selected = "s1"
        _ = state.handle(.char("d"), context: c)
        #expect(state.handle(.char("Y"), context: c) == [.perform(.server(.drain, node: "s1"))])
    }

    /// A member whose name HAProxy would refuse: no question, the reason.
    @Test func actionsOnABadlyNamedNodeAreRefusedWithTheReason() throws {
        var model = try Fixture.model()
        var members = Array(model.members.values)
        members.append(Member(name: "zz;disable frontend localnodes", address: "192.168.42.66", port: 7946, tags: ["role": "backend"]))
        model.setMembers(members, at: Fixture.now)
        let c = DashboardState.Context(rows: model.rows(), layout: DashboardLayout(width: 100, height: 30, showEvents: true),
                                       canProvision: false, nextNodeName: "s5")
        for k in "drmD" {
            var state = DashboardState()
            state.selected = "zz;disable frontend localnodes"
            #expect(state.handle(.char(k), context: c).isEmpty)
            #expect(state.mode == .normal, "no confirmation for \(k)")
            #expect(state.notice?.contains("cannot be a HAProxy server name") == true, "\(state.notice ?? "")")
        }
        var state = DashboardState()
        _ = state.handle(.char("a"), context: DashboardState.Context(rows: c.rows, layout: c.layout, canProvision: true, nextNodeName: "x y"))
        #expect(state.mode == .normal)
        #expect(state.notice?.contains("a space") == true)
    }

    @Test func readOnlyRefusesEveryAction() throws {
        var state = DashboardState(readOnly: true)
        for k in "drmDaR" {
            #expect(state.handle(.char(k), context: try context()).isEmpty)
            #expect(state.mode == .normal)
            #expect(state.notice?.contains("read-only") == true)
        }
    }

    @Test func movingSelectsAndScrolls() throws {
        let model = try Fixture.model(backends: 60)
        let c = DashboardState.Context(rows: model.rows(), layout: DashboardLayout(width: 100, height: 30, showEvents: true),
                                       canProvision: false, nextNodeName: "x")
        var state = DashboardState()
        for _ in 0 ..< 40 { _ = state.handle(.char("j"), context: c) }
        let visible = state.visible(model.rows())
        #expect(state.selected == visible[40].name)
        #expect(state.scroll > 0 && state.scroll <= 40 && 40 < state.scroll + c.layout.tableRows)
        _ = state.handle(.char("g"), context: c)
        #expect(state.selected == visible[0].name && state.scroll == 0)
        _ = state.handle(.click(x: 5, y: c.layout.tableTop + 2), context: c)
        #expect(state.selected == visible[2].name, "a click selects the row under it")
    }

    @Test func quitKeys() throws {
        var state = DashboardState()
        #expect(state.handle(.char("q"), context: try context()) == [.quit])
        state.mode = .filtering
        #expect(state.handle(.ctrlC, context: try context()) == [.quit], "Ctrl-C quits from anywhere")
    }
}
