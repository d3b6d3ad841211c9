@testable import Dashboard
import Foundation
import HAProxy
import Serf
import Testing
import TerminalUI

/// `serftop snapshot --format json` is the dashboard's node table: the same
/// nodes, in the same order, with the same words in the GOSSIP and LB columns.
@Suite struct ClusterDocumentTests {
    @Test func nodesAreTheTablesRows() throws {
        let model = try Fixture.model(backends: 4)
        let state = DashboardState()
        let screen = DashboardView(glyphs: .unicode).render(model, state, width: 160, height: 40, now: Fixture.now).text
        let document = ClusterDocument(model, state: state, now: Fixture.now)
        let tableLines = screen.split(separator: "\n").dropFirst(2).prefix(document.nodes.count).map(String.init)
        #expect(document.nodes.map(\.name) == tableLines.map { String($0.split(separator: " ")[0]) })
        for (node, line) in zip(document.nodes, tableLines) {
            #expect(line.contains(" \(node.status) "), "\(node.name): \(node.status) in '\(line)'")
            if let lb = node.lb { #expect(line.contains(" \(lb) "), "\(node.name): \(lb) in '\(line)'") }
        }
        let byName = Dictionary(uniqueKeysWithValues: document.nodes.map { ($0.name, $0) })
        #expect(byName["s2"]?.status == "failed" && byName["s2"]?.lb == "DOWN")
        #expect(byName["s9"]?.lb == "absent" && byName["s9"]?.mark == "not in LB")
        #expect(byName["ghost"]?.status == "absent" && byName["ghost"]?.mark == "not in gossip")
        #expect(byName["me"]?.lb == nil && byName["me"]?.servers.isEmpty == true)
        #expect(byName["s3"]?.servers.first?.status == "DRAIN" && byName["s3"]?.sessions == 3 && byName["s3"]?.rate == 30)
        #expect(document.balancers.map(\.name) == ["ha"] && document.balancers[0].reachable)
    }

    @Test func jsonCarriesScrapeErrorsAndNoCredentials() throws {
        var model = try Fixture.model(backends: 2)
        model.balancers.append(BalancerState(endpoint: try StatsEndpoint("http://10.0.0.9:1936/", username: "admin", password: "hunter2")))
        model.recordScrape(.failure(.timedOut(what: "the stats page", after: .seconds(2))), for: model.balancers[1].endpoint, at: Fixture.now)
        let json = ClusterDocument(model, now: Fixture.now).json()
        #expect(!json.contains("hunter2"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let balancers = try #require(object["balancers"] as? [[String: Any]])
        #expect(balancers.count == 2)
        #expect(balancers[1]["reachable"] as? Bool == false && (balancers[1]["error"] as? String)?.isEmpty == false)
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.contains { $0["name"] as? String == "s1" && $0["lb"] as? String == "UP" && $0["status"] as? String == "alive" })
    }
}
