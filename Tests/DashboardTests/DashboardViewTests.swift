@testable import Dashboard
import Foundation
import HAProxy
import Serf
import Testing
import TerminalUI

/// The dashboard rendered to a memory screen, read back as text.
@Suite struct DashboardViewTests {
    let view = DashboardView(glyphs: .unicode)

    func render(_ model: ClusterModel, _ state: DashboardState = DashboardState(), _ w: Int, _ h: Int) -> CellGrid {
        view.render(model, state, width: w, height: h, now: Fixture.now)
    }

    func rowLine(_ grid: CellGrid, _ name: String) -> String? {
        (0 ..< grid.height).map(grid.line).first { $0.hasPrefix(" \(name) ") }
    }

    @Test func layoutAt80x24ShowsTheEssentials() throws {
        let grid = render(try Fixture.model(), DashboardState(), 80, 24)
        let text = grid.text
        #expect(grid.line(0).contains("cluster: 7 members (5 alive, 1 suspect, 1 failed)"))
        #expect(grid.line(0).contains("haproxy ha ✓ 2.6.12"))
        let header = grid.line(1)
        for column in ["NAME", "GOSSIP", "LB", "SESS", "REQ/s"] { #expect(header.contains(column), "\(column) missing at 80 columns") }
        #expect(rowLine(grid, "s1")?.contains("alive") == true && rowLine(grid, "s1")?.contains("UP") == true)
        #expect(rowLine(grid, "s2")?.contains("failed") == true && rowLine(grid, "s2")?.contains("DOWN") == true)
        #expect(rowLine(grid, "s3")?.contains("DRAIN") == true)
        #expect(rowLine(grid, "s4")?.contains("suspect") == true && rowLine(grid, "s4")?.contains("MAINT") == true)
        // Marked, not hidden.
        #expect(rowLine(grid, "ghost")?.contains("absent") == true, "a server the gossip does not know")
        #expect(rowLine(grid, "s9")?.contains("absent") == true, "a backend no balancer has")
        #expect(text.contains("events"))
        #expect(text.contains("drain (runtime API"))
        #expect(grid.line(23).contains("q quit") && grid.line(23).contains("? help") && grid.line(23).contains("d drain"))
        // Rows in name order.
        let order = (2 ..< 12).compactMap { y -> String? in grid.line(y).split(separator: " ").first.map(String.init) }
        #expect(Array(order.prefix(8)) == ["ghost", "ha", "me", "s1", "s2", "s3", "s4", "s9"])
    }

    /// A name is shown, never obeyed: no escape or newline reaches the
    /// terminal, the row is marked and its details say why it is no server.
    @Test func aHostileNameIsDrawnInertAndMarked() throws {
        var model = try Fixture.model()
        let name = "zz\u{1B}[2J;disable\nfrontend"
        model.setMembers(Array(model.members.values) + [Member(name: name, address: "10.0.0.66", port: 7946, tags: ["role": "backend"])],
                         at: Fixture.now)
        model.apply(.member(.join, [Member(name: name, address: "10.0.0.66", port: 7946, tags: ["role": "backend"])]), at: Fixture.now)
        let grid = render(model, DashboardState(), 120, 30)
        #expect(!grid.cells.contains { $0.character.unicodeScalars.contains { $0.properties.generalCategory == .control } })
        let row = try #require(rowLine(grid, "zz?[2J;disable?frontend"), "\(grid.text)")
        #expect(row.contains("bad name"))
        var state = DashboardState()
        state.mode = .details(node: name, scroll: 0)
        #expect(render(model, state, 120, 30).text.contains("cannot be a HAProxy server name"))
    }

    @Test func layoutAt200x60ShowsEveryColumn() throws {
        let grid = render(try Fixture.model(backends: 50), DashboardState(), 200, 60)
        let header = grid.line(1)
        for column in ["NAME", "ADDRESS", "ROLE", "GOSSIP", "LB", "W", "SESS", "REQ/s", "CHECK", "CHANGED"] {
            #expect(header.contains(column), "\(column) missing at 200 columns")
        }
        #expect(rowLine(grid, "s12")?.contains("192.168.42.22") == true)
        #expect(rowLine(grid, "s1")?.contains("L7OK 2ms") == true)
        #expect(rowLine(grid, "s1")?.contains("▁") == true || rowLine(grid, "s1")?.contains("█") == true, "sparkline")
        #expect(grid.text.contains("1–"), "a scroll position when rows do not fit")
        #expect(grid.line(59).contains("q quit"))
    }

    @Test func filterKeepsMatchingRowsAndEscClears() throws {
        let model = try Fixture.model()
        var state = DashboardState()
        let layout = DashboardLayout(width: 100, height: 30, showEvents: true)
        let context = DashboardState.Context(rows: model.rows(), layout: layout, canProvision: false, nextNodeName: "s5")
        _ = state.handle(.char("/"), context: context)
        for c in "drain" { _ = state.handle(.char(c), context: context) }
        var grid = render(model, state, 100, 30)
        #expect(rowLine(grid, "s3") != nil)
        #expect(rowLine(grid, "s1") == nil)
        #expect(grid.line(29).contains("filter"))
        _ = state.handle(.enter, context: context)
        _ = state.handle(.escape, context: context)
        grid = render(model, state, 100, 30)
        #expect(rowLine(grid, "s1") != nil)
        // A tag filter.
        state.filter = "zone=a"
        grid = render(model, state, 100, 30)
        #expect(rowLine(grid, "s2") != nil && rowLine(grid, "s1") == nil)
    }

    @Test func sortCyclesAndReverses() throws {
        let model = try Fixture.model()
        var state = DashboardState()
        let context = DashboardState.Context(rows: model.rows(), layout: DashboardLayout(width: 100, height: 30, showEvents: true),
                                             canProvision: false, nextNodeName: "s5")
        while state.sort != .sessions { _ = state.handle(.char("s"), context: context) }
        var names = state.visible(model.rows()).map(\.name)
        #expect(Array(names.prefix(4)) == ["s4", "s3", "s2", "s1"], "most sessions first")
        _ = state.handle(.char("S"), context: context)
        names = state.visible(model.rows()).map(\.name)
        #expect(names.last == "s4")
        #expect(render(model, state, 100, 30).line(1).contains("SESS▲"))
    }

    /// In TCP mode HAProxy counts sessions, not requests: REQ/s shows them
    /// marked, and the frontends line says sessions.
    @Test func sessionsAreNeverShownAsRequests() throws {
        var model = ClusterModel()
        model.setMembers([Member(name: "ha", address: "192.168.42.42", port: 7946, tags: ["role": "balancer"]),
                          Member(name: "s1", address: "192.168.42.11", port: 7946, tags: ["role": "backend"])], at: Fixture.now)
        let endpoint = try StatsEndpoint("192.168.42.42")
        model.balancers = [BalancerState(endpoint: endpoint, memberName: "ha")]
        let csv = "# pxname,svname,scur,status,weight,type,rate,req_rate,\nsite,FRONTEND,5,OPEN,,0,31,,\nnodes,s1,2,UP,1,2,37,,\n"
        model.recordScrape(.success(try StatsCSVParser.parse(csv)), for: endpoint, at: Fixture.now)
        let grid = render(model, DashboardState(), 120, 30)
        #expect(rowLine(grid, "s1")?.contains(" 37*") == true, "\(rowLine(grid, "s1") ?? "")")
        #expect(grid.text.contains("sess/s 31") && !grid.text.contains("req/s 31"))
        var state = DashboardState()
        state.mode = .details(node: "s1", scroll: 0)
        #expect(render(model, state, 120, 30).text.contains("37 sessions/s"))
        let requests = try Fixture.model()
        #expect(rowLine(render(requests, DashboardState(), 120, 30), "s1")?.contains("*") == false)
    }

    @Test func detailsShowTagsVersionsAndEveryField() throws {
        let model = try Fixture.model()
        var state = DashboardState()
        state.selected = "s3"
        state.mode = .details(node: "s3", scroll: 0)
        let text = render(model, state, 120, 40).text
        #expect(text.contains("role=backend"))
        #expect(text.contains("zone=b"))
        #expect(text.contains("protocol memberlist 2 (understands 1–5), serf 5 (2–5)"))
        #expect(text.contains("ha: nodes/s3"))
        #expect(text.contains("status=DRAIN") && text.contains("check_status=L7OK") && text.contains("addr=10.0.0.3:3000"))
    }

    @Test func helpListsTheKeysAndHidesActionsWhenReadOnly() throws {
        let model = try Fixture.model()
        var state = DashboardState()
        state.mode = .help
        let text = render(model, state, 100, 30).text
        for k in ["drain the node", "maint", "reload", "filter", "quit"] { #expect(text.contains(k)) }
        var ro = DashboardState(readOnly: true)
        ro.mode = .help
        let roText = render(model, ro, 100, 30).text
        #expect(!roText.contains("drain the node"))
        let footer = render(model, DashboardState(readOnly: true), 100, 30).line(29)
        #expect(footer.contains("READ-ONLY") && !footer.contains("d drain"))
    }

    @Test func tooSmallSaysSo() throws {
        let text = render(try Fixture.model(), DashboardState(), 79, 24).text
        #expect(text.contains("at least 80×24"))
        #expect(text.contains("This one is 79×24"))
        #expect(render(try Fixture.model(), DashboardState(), 120, 10).text.contains("120×10"))
    }

    @Test func asciiFallbackWhenTheLocaleIsNotUTF8() throws {
        let ascii = DashboardView(glyphs: .forEnvironment(["LANG": "C"]))
        let text = ascii.render(try Fixture.model(), DashboardState(), width: 120, height: 30, now: Fixture.now).text
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "only ASCII without a UTF-8 locale")
        #expect(Glyphs.forEnvironment(["LC_ALL": "en_US.UTF-8"]) == .unicode)
        #expect(Glyphs.forEnvironment(["LANG": "C.utf8"]) == .unicode)
    }

    @Test func monochromeThemeUsesNoColour() {
        for role in StyleRole.allCases {
            let s = Theme.monochrome.style(role)
            #expect(s.fg == nil && s.bg == nil && s.fg16 == nil && s.bg16 == nil, "\(role)")
        }
        #expect(Theme.monochrome.style(.selected).reverse)
        #expect(Theme.monochrome.style(.failed).bold)
    }

    @Test func thousandNodesRenderOnlyWhatFits() throws {
        let grid = render(try Fixture.model(backends: 1000), DashboardState(), 120, 40)
        #expect(grid.text.contains("1–"))
        #expect(grid.text.contains("of 1003"))
    }
}
