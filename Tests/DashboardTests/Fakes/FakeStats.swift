@testable import Dashboard
import Foundation
import HAProxy

/// Stats pages that exist only in the test: every balancer serves the same
/// servers, whose sessions the test sets.
final class FakeStats: BalancerStats, @unchecked Sendable {
    private let lock = NSLock()
    private var sessions: [String: Int]

    init(sessions: [String: Int]) { self.sessions = sessions }

    func set(_ server: String, sessions n: Int) { lock.withLock { sessions[server] = n } }

    func scrapeAll(_ endpoints: [StatsEndpoint]) async -> [StatsEndpoint: Result<StatsSnapshot, HAProxyError>] {
        let servers = lock.withLock { sessions.sorted { $0.key < $1.key } }
        let csv = Fixture.csv(servers.map { ($0.key, "UP", $0.value, 1) })
        let snapshot = Result { () throws(StatsParseError) in try StatsCSVParser.parse(csv) }
            .mapError { HAProxyError.parse($0, url: "memory") }
        return Dictionary(uniqueKeysWithValues: endpoints.map { ($0, snapshot) })
    }

    func version(_ endpoint: StatsEndpoint) async -> String? { "2.6.12" }
}
