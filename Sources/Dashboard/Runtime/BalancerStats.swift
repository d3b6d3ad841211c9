import HAProxy

/// What the runtime reads from the balancers' stats pages. A seam so that a
/// test can stand in for HAProxy; `StatsScraper` is the real one.
protocol BalancerStats: Sendable {
    func scrapeAll(_ endpoints: [StatsEndpoint]) async -> [StatsEndpoint: Result<StatsSnapshot, HAProxyError>]
    func version(_ endpoint: StatsEndpoint) async -> String?
}

extension StatsScraper: BalancerStats {}
