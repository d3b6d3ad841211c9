@testable import Dashboard
import Foundation
import Testing
import TerminalUI

/// The key table is the one description of the keys: the reducer, the
/// footer and the help overlay all read it.
@Suite struct KeyTableTests {
    static let readOnlyNotice = "read-only: actions are disabled (started with --read-only)"

    let model: ClusterModel
    let context: DashboardState.Context

    init() throws {
        model = try Fixture.model(backends: 8)
        context = .init(rows: model.rows(), layout: DashboardLayout(width: 100, height: 24, showEvents: true),
                        canProvision: false, nextNodeName: "s10")
    }

    /// Mid-table, with a filter set, so that every key has something to change.
    func midTable(readOnly: Bool = false) -> DashboardState {
        var state = DashboardState(readOnly: readOnly)
        state.filter = "s"
        state.selected = "s3"
        state.keepSelectionVisible(state.visible(context.rows), context.layout)
        return state
    }

    /// Every key of the table, as pressed: the table's click stands for any
    /// click, and this one lands on the table's first row.
    var presses: [(KeyEntry, Key, KeyCommand)] {
        KeyTable.entries.flatMap { entry in
            entry.presses.map { press in
                let key: Key = if case .click = press.key { .click(x: 5, y: context.layout.tableTop) } else { press.key }
                return (entry, key, press.command)
            }
        }
    }

    @Test func everyKeyInTheTableIsHandled() {
        for (_, key, command) in presses {
            var state = midTable()
            let before = state
            let effects = state.handle(key, context: context)
            #expect(!effects.isEmpty || state != before, "\(key) (\(command)) did nothing")
            #expect(state.notice == nil || state.notice == before.notice, "\(key): \(state.notice ?? "")")
        }
    }

    @Test func keysOutsideTheTableDoNothing() {
        for key: Key in [.char("w"), .char("Z"), .tab, .left, .right, .backspace] {
            var state = midTable()
            let before = state
            #expect(state.handle(key, context: context).isEmpty)
            #expect(state == before, "\(key)")
        }
    }

    @Test func noKeyIsInTwoEntries() {
        let keys = presses.map(\.1)
        #expect(Set(keys).count == keys.count)
    }

    @Test func readOnlyRefusalComesFromTheTableFlag() {
        let refused = Set(KeyTable.entries.filter { !$0.readOnly }.flatMap { $0.presses.map(\.command) })
        #expect(refused == [.drain, .ready, .maint, .drainThenMaint, .add, .reload])
        for (entry, key, command) in presses {
            var state = midTable(readOnly: true)
            let before = state
            let effects = state.handle(key, context: context)
            if entry.readOnly {
                #expect(state.notice != Self.readOnlyNotice, "\(command) is allowed when read-only")
                #expect(!effects.isEmpty || state != before, "\(command) did nothing when read-only")
            } else {
                #expect(state.notice == Self.readOnlyNotice, "\(command) is refused when read-only")
                #expect(effects.isEmpty && state.mode == .normal)
            }
        }
    }

    @Test func footerComesFromTheTable() {
        for readOnly in [false, true] {
            let state = DashboardState(readOnly: readOnly)
            let footer = DashboardView(glyphs: .unicode).render(model, state, width: 160, height: 30, now: Fixture.now).line(29)
            var last = footer.startIndex
            for entry in KeyTable.entries {
                switch entry.footer {
                case .none:
                    continue
                case .hint(let label), .pinned(let label):
                    let hint = "\(entry.footerKey) \(label)"
                    guard let at = footer.range(of: hint) else {
                        #expect(readOnly && !entry.readOnly, "'\(hint)' missing from '\(footer)'")
                        continue
                    }
                    #expect(entry.readOnly || !readOnly, "'\(hint)' shown when read-only")
                    #expect(at.lowerBound >= last, "'\(hint)' out of the table's order")
                    last = at.lowerBound
                }
            }
        }
    }

    @Test func helpComesFromTheTable() {
        for (readOnly, provisioning) in [(false, false), (false, true), (true, false)] {
            var state = DashboardState(readOnly: readOnly)
            state.mode = .help
            let help = DashboardView(glyphs: .ascii, provisioning: provisioning)
                .render(model, state, width: 120, height: 40, now: Fixture.now).text
            for entry in KeyTable.entries {
                let line = entry.help(provisioning: provisioning)
                let shown = help.contains(entry.names(.ascii)) && help.contains(line)
                #expect(shown == (entry.readOnly || !readOnly), "'\(line)' (read-only: \(readOnly))")
            }
            #expect(help.contains("add a node (runs the --provision command)") == (provisioning && !readOnly))
        }
    }
}
