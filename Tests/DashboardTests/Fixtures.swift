import Dashboard
import Foundation
import HAProxy
import Serf

/// A small cluster as the dashboard would see it: a balancer, backends in
/// every state, an observer, a server the gossip does not know, and a
/// backend missing from the balancer.
enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func csv(_ servers: [(String, String, Int, Int)]) -> String {
        var lines = ["# pxname,svname,scur,slim,status,weight,type,rate,req_rate,check_status,check_duration,lastchg,addr,"]
        lines.append("site,FRONTEND,34,4096,OPEN,,0,12,120,,,,,")
        for (name, status, sessions, rate) in servers {
            lines.append("nodes,\(name),\(sessions),,\(status),1,2,\(rate),\(rate),\(status == "DOWN" ? "L4CON" : "L7OK"),2,180,10.0.0.\(name.filter(\.isNumber)):3000,")
        }
        lines.append("nodes,BACKEND,0,,UP,4,1,0,0,,,,,")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Two balancers, ha and ha2, in front of one backend; each balancer's
    /// stats page holds the server rows given for it (Fixture.csv).
    static func twoBalancers(backend: String, ha: [(String, String, Int, Int)], ha2: [(String, String, Int, Int)]) throws -> ClusterModel {
        var model = ClusterModel()
        model.setMembers([Member(name: "ha", address: "10.0.0.1", port: 7946, tags: ["role": "balancer"]),
                          Member(name: "ha2", address: "10.0.0.2", port: 7946, tags: ["role": "balancer"]),
                          Member(name: backend, address: "10.0.0.11", port: 7946, tags: ["role": "backend"])], at: now)
        model.balancers = [BalancerState(endpoint: try StatsEndpoint("10.0.0.1"), memberName: "ha"),
                           BalancerState(endpoint: try StatsEndpoint("10.0.0.2"), memberName: "ha2")]
        for (b, rows) in zip(model.balancers, [ha, ha2]) {
            model.recordScrape(.success(try StatsCSVParser.parse(csv(rows))), for: b.endpoint, at: now)
        }
        return model
    }

    static func model(backends: Int = 4) throws -> ClusterModel {
        var model = ClusterModel()
        var members = [
            Member(name: "ha", address: "192.168.42.42", port: 7946, tags: ["role": "balancer"]),
            Member(name: "me", address: "192.168.42.99", port: 7946, tags: ["role": "observer"]),
        ]
        let states: [MemberStatus] = [.alive, .failed, .alive, .suspect]
        for i in 1 ... backends {
            members.append(Member(name: "s\(i)", address: "192.168.42.\(10 + i)", port: 7946,
                                  tags: ["role": "backend", "zone": i % 2 == 0 ? "a" : "b"], status: states[(i - 1) % states.count]))
        }
        members.append(Member(name: "s9", address: "192.168.42.19", port: 7946, tags: ["role": "backend"]))
        model.setMembers(members, at: now.addingTimeInterval(-200))
        model.balancers = [BalancerState(endpoint: try StatsEndpoint("192.168.42.42"), memberName: "ha")]
        var servers: [(String, String, Int, Int)] = []
        let lb = ["UP", "DOWN", "DRAIN", "MAINT"]
        for i in 1 ... backends { servers.append(("s\(i)", lb[(i - 1) % lb.count], i, i * 10)) }
        servers.append(("ghost", "UP", 0, 0))
        let snapshot = try StatsCSVParser.parse(csv(servers))
        for _ in 0 ..< 10 {
            model.recordScrape(.success(snapshot), for: model.balancers[0].endpoint, at: now)
            model.sampleHistory()
        }
        model.balancers[0].version = "2.6.12"
        model.log.add(.join, "member-join s3 192.168.42.13 role=backend", at: now.addingTimeInterval(-40))
        model.log.add(.result, "nodes/s3: drain (runtime API unix:/run/haproxy/admin.sock)", at: now.addingTimeInterval(-30))
        return model
    }
}
