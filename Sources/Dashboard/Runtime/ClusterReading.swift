import BalancerContract
import Foundation
import HAProxy
import Serf

/// The cluster read once, as the dashboard has it after its first refresh:
/// the member list, the balancers given and found, one scrape of each. For
/// `serftop snapshot`, so that a script sees what the dashboard would.
public enum ClusterReading {
    public static func once(source: (any MembershipSource)?, description: String, balancers: [StatsEndpoint],
                            scraper: StatsScraper, credentials: StatsCredentials, roles: ClusterRoles) async throws -> ClusterModel {
        try await once(source: source, description: description, balancers: balancers, stats: scraper,
                       credentials: credentials, roles: roles)
    }

    static func once(source: (any MembershipSource)?, description: String, balancers: [StatsEndpoint],
                     stats: any BalancerStats, credentials: StatsCredentials, roles: ClusterRoles) async throws -> ClusterModel {
        var model = ClusterModel()
        model.sourceDescription = description
        model.roles = roles
        model.balancers = balancers.map { BalancerState(endpoint: $0) }
        if let source { model.setMembers(try await source.members(), at: Date()) }
        model.discoverBalancers(credentials: credentials, at: Date())
        let results = await stats.scrapeAll(model.balancers.map(\.endpoint))
        let scraped = Date()
        for b in model.balancers {
            if let result = results[b.endpoint] { model.recordScrape(result, for: b.endpoint, at: scraped) }
        }
        model.sampleHistory()
        for i in model.balancers.indices where model.balancers[i].isReachable {
            model.balancers[i].version = await stats.version(model.balancers[i].endpoint)
        }
        return model
    }
}
