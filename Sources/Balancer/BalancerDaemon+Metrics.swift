import HAProxy
import NIOHTTP1

extension BalancerDaemon {
    /// Answers the daemon's HTTP endpoints (MetricsServer).
    public func respond(to path: String) async -> MetricsServer.Response {
        switch path {
        case "/metrics":
            metrics.servers(await backendRows())
            metrics.members(members)
            return .init(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.text())
        case "/healthz":
            let problems = await healthProblems()
            if problems.isEmpty { return .init(status: .ok, body: Array("ok\n".utf8)) }
            return .init(status: .serviceUnavailable, body: Array(problems.map { $0 + "\n" }.joined().utf8))
        default:
            return .init(status: .notFound, body: Array("/metrics or /healthz\n".utf8))
        }
    }

    /// The backend's server rows as HAProxy has them now; nil when it does not answer.
    func backendRows() async -> [StatsRow]? {
        guard let address = settings.runtimeAPI else { return nil }
        var api = RuntimeAPI(address: address)
        api.timeout = .seconds(1)
        guard let stats = try? await api.stats() else { return nil }
        return stats.servers.filter { $0.proxy == settings.backend.text }
    }

    /// What keeps this balancer from doing its job, asked now rather than
    /// taken from the last watch: a health check must see a kill at once.
    func healthProblems() async -> [String] {
        var problems: [String] = []
        if !following {
            problems.append("not following the serf agent (is it running?)")
        } else if let source = announcer,
                  !(await Self.finishes(within: Self.agentHealthBound) { _ = try await source.querySender() }) {
            // A stopped agent keeps its connection and says nothing: the
            // membership we follow may be stale, and nobody would know.
            problems.append("the serf agent does not answer within \(Self.agentHealthBound) (stopped, or swamped?)")
        }
        if let address = settings.masterCLI {
            var cli = MasterCLI(address: address)
            cli.timeout = .seconds(1)
            do {
                if try await cli.processes().workers.isEmpty { problems.append("HAProxy's master has no worker serving") }
            } catch {
                problems.append("HAProxy's master CLI does not answer: \(error)")
            }
        } else if let address = settings.runtimeAPI {
            var api = RuntimeAPI(address: address)
            api.timeout = .seconds(1)
            do {
                _ = try await api.info()
            } catch {
                problems.append("HAProxy's runtime API does not answer: \(error)")
            }
        }
        return problems
    }

    static let agentHealthBound: Duration = .seconds(2)

    /// Whether `body` ends, without error, within `bound`; past it, `body`
    /// is cancelled, and must stop then, as an RPC call does: the answer
    /// waits for it.
    static func finishes(within bound: Duration, _ body: @escaping @Sendable () async throws -> Void) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await body()) != nil }
            group.addTask { try? await Task.sleep(for: bound); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
