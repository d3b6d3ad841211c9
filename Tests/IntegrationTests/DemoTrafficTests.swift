import Foundation
import Testing
import TestSupport

extension DemoTopologyTests {
    /// The demo drives its own traffic, so that a recording shows it moving.
    @Suite(.serialized) struct DemoTrafficTests {
        /// Per server of the `nodes` backend: requests handled so far (stot),
        /// and the frontend's connections, from the stats CSV.
        func counts(_ demo: DemoInstance) async throws -> (servers: [String: Int], connections: Int) {
            let csv = try await Tools.run("curl", ["-sf", "--max-time", "2", demo.endpoints.stats + ";csv"]).output
            let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            guard let header = lines.first, let stot = header.firstIndex(of: "stot") else { return ([:], 0) }
            var servers: [String: Int] = [:]
            var connections = 0
            for row in lines.dropFirst() where row.count > stot {
                if row[0] == "nodes" && row[1] != "BACKEND" { servers[row[1]] = Int(row[stot]) ?? 0 }
                if row[0] == "localnodes" && row[1] == "FRONTEND" { connections = Int(row[stot]) ?? 0 }
            }
            return (servers, connections)
        }

        @Test func requestsReachEveryNodeOverKeptAliveConnections() async throws {
            let demo = try await DemoInstance(nodes: 3, extra: ["--traffic", "40"])
            try await eventually("every node to have served requests", timeout: 20, every: 0.5) {
                let c = try await counts(demo)
                return c.servers.count == 3 && c.servers.values.allSatisfy { $0 >= 5 }
            }
            let c = try await counts(demo)
            let requests = c.servers.values.reduce(0, +)
            // Keep-alive: far fewer connections than requests.
            #expect(c.connections * 5 < requests, "\(c.connections) connections for \(requests) requests")
        }

        @Test func noTrafficMeansNoRequests() async throws {
            let demo = try await DemoInstance(nodes: 2, extra: ["--traffic", "0"])
            try await Task.sleep(for: .seconds(3))
            let c = try await counts(demo)
            #expect(c.servers.count == 2)
            #expect(c.servers.values.allSatisfy { $0 <= 2 }, "\(c.servers)")
        }
    }
}
