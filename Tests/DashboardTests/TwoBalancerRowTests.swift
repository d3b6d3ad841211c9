@testable import Dashboard
import Foundation
import HAProxy
import Serf
import Testing
import TerminalUI

/// Two balancers serving the same web apps: each node's LB cell gives both
/// views, says how many agree when they do, and stands out when they do not;
/// the balancer holding the virtual address says so in its ROLE cell.
@Suite struct TwoBalancerRowTests {
    func model(_ ha: [(String, String, Int, Int)], _ ha2: [(String, String, Int, Int)], vipOn: String? = "ha2") throws -> ClusterModel {
        var model = ClusterModel()
        var members = ["ha", "ha2"].map { name in
            Member(name: name, address: "192.168.42.4\(name.count)", port: 7946,
                   tags: ["role": "balancer"].merging(name == vipOn ? ["vip": "192.168.42.200"] : [:]) { $1 })
        }
        members += (1 ... 3).map { Member(name: "s\($0)", address: "192.168.42.1\($0)", port: 7946, tags: ["role": "backend"]) }
        model.setMembers(members, at: Fixture.now)
        // Found in the other order than their names': the cells follow the names.
        model.balancers = [BalancerState(endpoint: try StatsEndpoint("192.168.42.43"), memberName: "ha2"),
                           BalancerState(endpoint: try StatsEndpoint("192.168.42.42"), memberName: "ha")]
        model.recordScrape(.success(try StatsCSVParser.parse(Fixture.csv(ha2))), for: model.balancers[0].endpoint, at: Fixture.now)
        model.recordScrape(.success(try StatsCSVParser.parse(Fixture.csv(ha))), for: model.balancers[1].endpoint, at: Fixture.now)
        return model
    }

    func lines(_ model: ClusterModel) throws -> [String: (text: String, grid: CellGrid, y: Int)] {
        let screen = MemoryScreen(width: 140, height: 30)
        screen.present(DashboardView(glyphs: .unicode).render(model, DashboardState(), width: 140, height: 30, now: Fixture.now),
                       theme: .monochrome)
        let grid = try #require(screen.frame)
        var out: [String: (String, CellGrid, Int)] = [:]
        for y in 0 ..< grid.height {
            let line = grid.line(y)
            if let name = line.split(separator: " ").first, ["ha", "ha2", "s1", "s2", "s3"].contains(String(name)) {
                out[String(name)] = (line, grid, y)
            }
        }
        return out
    }

    @Test func agreeingBalancersAreCountedAndDisagreeingOnesShownEach() throws {
        let m = try model([("s1", "UP", 0, 1), ("s2", "DRAIN", 0, 1), ("s3", "UP", 0, 1)],
                          [("s1", "UP", 0, 1), ("s2", "UP", 0, 1)])
        let rows = Dictionary(uniqueKeysWithValues: m.rows().map { ($0.name, $0) })
        #expect(rows["s1"]?.balancerCount == 2)
        #expect(rows["s1"]?.balancersDisagree == false)
        #expect(rows["s2"]?.balancersDisagree == true, "DRAIN on one, UP on the other")
        #expect(rows["s3"]?.balancersDisagree == true, "one balancer does not have it")
        #expect(rows["ha"]?.balancersDisagree == false, "not a server anywhere: nothing to disagree on")

        let l = try lines(m)
        let s1 = try #require(l["s1"]), s2 = try #require(l["s2"]), s3 = try #require(l["s3"])
        #expect(s1.text.contains(" UP ×2 "), "\(s1.text)")
        // ha's view first (by name), though ha2 was found first.
        #expect(s2.text.contains(" DRAIN UP "), "\(s2.text)")
        #expect(s3.text.contains(" UP — "), "\(s3.text)")
        let lb = try #require(s2.text.range(of: "DRAIN UP")).lowerBound.utf16Offset(in: s2.text)
        #expect(s2.grid[lb, s2.y].role == .mark)
        #expect(s1.grid[try #require(s1.text.range(of: "UP ×2")).lowerBound.utf16Offset(in: s1.text), s1.y].role != .mark)
    }

    @Test func theVIPHolderSaysSo() throws {
        let m = try model([("s1", "UP", 0, 1)], [("s1", "UP", 0, 1)])
        let l = try lines(m)
        #expect(try #require(l["ha2"]).text.contains("balancer vip"))
        #expect(try #require(l["ha"]).text.contains("balancer ") && !l["ha"]!.text.contains("vip"))
        let moved = try model([("s1", "UP", 0, 1)], [("s1", "UP", 0, 1)], vipOn: "ha")
        #expect(try lines(moved)["ha"]?.text.contains("balancer vip") == true)
    }

    /// A balancer cut off by a link down keeps the tag it had (and holds
    /// the address on its side of the cut): once it is failed, only the
    /// new holder reads `vip`.
    @Test func aFailedBalancerNoLongerReadsVIP() throws {
        var m = try model([("s1", "UP", 0, 1)], [("s1", "UP", 0, 1)], vipOn: "ha")
        var members = Array(m.members.values)
        for i in members.indices where members[i].name == "ha2" { members[i].tags["vip"] = "192.168.42.200" }
        m.setMembers(members, at: Fixture.now)
        #expect(try lines(m)["ha"]?.text.contains("balancer vip") == true, "both up and tagged: both say so")
        #expect(try lines(m)["ha2"]?.text.contains("balancer vip") == true)
        for i in members.indices where members[i].name == "ha" { members[i].status = .failed }
        m.setMembers(members, at: Fixture.now)
        let l = try lines(m)
        #expect(try #require(l["ha"]).text.contains("balancer") && !l["ha"]!.text.contains("vip"), "\(l["ha"]!.text)")
        #expect(try #require(l["ha2"]).text.contains("balancer vip"))
    }

    @Test func oneBalancerShowsHAProxysOwnWords() throws {
        var m = try model([("s1", "UP", 0, 1)], [("s1", "DOWN", 0, 1)])
        m.balancers.removeFirst()
        let rows = Dictionary(uniqueKeysWithValues: m.rows().map { ($0.name, $0) })
        #expect(rows["s1"]?.balancerCount == 1 && rows["s1"]?.balancersDisagree == false)
        #expect(try #require(lines(m)["s1"]).text.contains(" UP "))
    }
}
