import TestSupport

/// What the dashboard's end-to-end tests look at: haproxy with e2e-s1 and
/// e2e-s2 behind it, a balancer agent advertising its stats page, an agent
/// for each server, and agents for `extraBackends` (role=backend, no server).
struct DashboardCluster {
    let haproxy: HAProxyInstance
    let backends: [HTTPBackend]
    let agents: [SerfAgent]

    static func start(extraBackends: [String] = []) async throws -> DashboardCluster {
        let backends = try [HTTPBackend(), HTTPBackend()]
        for b in backends { try await b.waitUntilReady() }
        var options = HAProxyInstance.Options()
        options.servers = [.init("e2e-s1", port: backends[0].port), .init("e2e-s2", port: backends[1].port)]
        let haproxy = try HAProxyInstance(options)
        try await haproxy.waitUntilReady()
        var ha = SerfAgent.Options()
        ha.tags = ["role": "balancer", "stats": haproxy.statsURL]
        var agents = [try SerfAgent("e2e-ha", ha)]
        try await agents[0].waitUntilReady()
        for name in ["e2e-s1", "e2e-s2"] + extraBackends {
            var o = SerfAgent.Options()
            o.tags = ["role": "backend"]
            o.join = [agents[0].gossipAddress]
            let a = try SerfAgent(name, o)
            try await a.waitUntilReady()
            agents.append(a)
        }
        return DashboardCluster(haproxy: haproxy, backends: backends, agents: agents)
    }
}
