import Foundation
import HAProxy
import Testing
import TestSupport

extension DemoTopologyTests {
    /// No single balancer: `serftop demo --balancers 2` runs two balancer
    /// hosts (agent, haproxy, `serftop balancer` each) over the same web apps.
    @Suite(.serialized) struct TwoBalancerEndToEndTests {
        func servers(_ b: DemoInstance.Balancer) async throws -> Set<String> {
            try await RuntimeServers(api: RuntimeAPI(address: HAProxyAddress(b.runtimeApi)!), backend: "nodes").names()
        }

        @Test func bothBalancersFollowTheMembershipAndEitherServesAlone() async throws {
            let demo = try await DemoInstance(nodes: 2, extra: ["--balancers", "2"])
            let balancers = demo.endpoints.balancers
            try #require(balancers.map(\.name) == ["ha", "ha2"])
            #expect(demo.endpoints.metrics.count == 2 && demo.endpoints.health.count == 2)

            // A web app that joins through the first is served by both.
            let app = try WebApp("extra1")
            defer { app.stop() }
            try await app.waitUntilServing()
            try app.join(balancers[0].gossip)
            let all = Set(demo.endpoints.nodes + ["extra1"])
            for b in balancers {
                try await eventually("\(b.name) to have extra1", timeout: 15) { try await servers(b) == all }
                let file = try String(contentsOfFile: b.config, encoding: .utf8)
                #expect(all.allSatisfy { file.contains("server \($0) ") }, "\(b.name)'s file:\n\(file)")
            }

            // The dashboard shows both views, alike, then apart.
            let args = ["--join", balancers[1].gossip, "--bind", "127.0.0.1:0", "--size", "140x30"]
            var rows = SnapshotCommandEndToEndTests.rows(try await SnapshotCommandEndToEndTests.snapshot(["--format", "text"] + args))
            #expect(rows["extra1"]?.contains("UP ×2") == true, "\(rows)")
            _ = try await RuntimeAPI(address: HAProxyAddress(balancers[1].runtimeApi)!)
                .apply(.drain, to: ServerTarget(backend: "nodes", server: "extra1"))
            rows = SnapshotCommandEndToEndTests.rows(try await SnapshotCommandEndToEndTests.snapshot(["--format", "text"] + args))
            #expect(rows["extra1"]?.contains("UP DRAIN") == true, "\(rows)")

            // Either serves without the other.
            let state = try await MasterCLI(address: .unix(path: String(balancers[0].masterCli.dropFirst("unix:".count)))).processes()
            kill(Int32(state.masterPID), SIGKILL)
            for worker in state.workers { kill(Int32(worker), SIGKILL) }
            #expect(await demo.siteHost(balancers[0].site) == nil)
            var answered: Set<String> = []
            for _ in 0 ..< 6 { if let h = await demo.siteHost(balancers[1].site) { answered.insert(h) } }
            #expect(answered == Set(demo.endpoints.nodes), "extra1 is in drain on ha2: \(answered)")
        }
    }
}
