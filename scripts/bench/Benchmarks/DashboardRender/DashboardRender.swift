import Benchmark
import Dashboard
import Foundation
import HAProxy
import Serf
import TerminalUI

/// One frame of the dashboard for a 1,000-node cluster: the model joined,
/// sorted and drawn into a cell grid, then handed to the memory screen.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal], maxDuration: .seconds(5), maxIterations: 500)
    for nodes in [100, 1_000] {
        Benchmark("render \(nodes) nodes to the memory screen (200×60)") { benchmark, model in
            let view = DashboardView(glyphs: .unicode)
            let state = DashboardState()
            let screen = MemoryScreen(width: 200, height: 60)
            let now = Date()
            for _ in benchmark.scaledIterations {
                screen.present(view.render(model, state, width: 200, height: 60, now: now), theme: .builtIn)
            }
            blackHole(screen.framesPresented)
        } setup: {
            try ClusterFixture.model(nodes: nodes)
        }
    }
}

enum ClusterFixture {
    static func model(nodes: Int) throws -> ClusterModel {
        var model = ClusterModel()
        let now = Date()
        var members = [Member(name: "ha", address: "10.0.0.1", port: 7946, tags: ["role": "balancer"])]
        var csv = ["# pxname,svname,scur,slim,status,weight,type,rate,req_rate,check_status,check_duration,lastchg,addr,"]
        csv.append("site,FRONTEND,34,4096,OPEN,,0,12,120,,,,,")
        let lb = ["UP", "UP", "UP", "DOWN", "DRAIN", "MAINT"]
        for i in 0 ..< nodes {
            let name = "web\(i)"
            members.append(Member(name: name, address: "10.1.\(i / 250).\(i % 250)", port: 7946,
                                  tags: ["role": "backend", "port": "3000"], status: i % 17 == 0 ? .failed : .alive))
            csv.append("nodes,\(name),\(i % 9),,\(lb[i % lb.count]),1,2,\(i % 50),\(i % 50),L7OK,2,\(i * 3),10.1.\(i / 250).\(i % 250):3000,")
        }
        csv.append("nodes,BACKEND,0,,UP,\(nodes),1,0,0,,,,,")
        model.setMembers(members, at: now.addingTimeInterval(-100))
        model.balancers = [BalancerState(endpoint: try StatsEndpoint("10.0.0.1"), memberName: "ha")]
        let snapshot = try StatsCSVParser.parse(csv.joined(separator: "\n") + "\n")
        for _ in 0 ..< 60 {
            model.recordScrape(.success(snapshot), for: model.balancers[0].endpoint, at: now)
            model.sampleHistory()
        }
        return model
    }
}
