import ArgumentParser
import Dashboard
import HAProxy

/// Stats pages to scrape beside the balancers found through gossip.
struct StatsPageOptions: ParsableArguments {
    @Option(name: .customLong("haproxy"), help: ArgumentHelp("A stats page to scrape (HOST[:PORT] or URL); repeatable.", valueName: "url"))
    var statsURLs: [String] = []

    /// The pages, with the credentials they get.
    func endpoints(_ credentials: StatsCredentials) throws -> [StatsEndpoint] {
        try statsURLs.map { try credentials.configured($0) }
    }
}
