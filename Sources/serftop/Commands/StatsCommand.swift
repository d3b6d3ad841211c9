import Presentation
import ArgumentParser
import HAProxy

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print the servers of every backend from HAProxy stats pages: status, weight, sessions, rates, checks.")

    @Option(name: .customLong("haproxy"), help: ArgumentHelp("A stats page: HOST[:PORT] (port 1936) or any stats URL; repeatable (127.0.0.1:1936 by default).", valueName: "url"))
    var urls: [String] = []
    static let defaultPages = ["127.0.0.1:1936"]
    @OptionGroup var config: ConfigOptions
    @OptionGroup var login: StatsLoginOptions
    @Option(help: "text or json.") var format: OutputFormat = .text

    mutating func run() async throws {
        try adoptConfiguration()
        let endpoints = try urls.map { try StatsEndpoint($0, username: login.username, password: try login.secret()) }
        let scraper = StatsScraper()
        let results = await scraper.scrapeAll(endpoints)
        await scraper.shutdown()
        var snapshots: [(String, StatsSnapshot)] = []
        var failures: [String] = []
        for e in endpoints {
            switch results[e] {
            case .success(let s)?: snapshots.append((e.authority, s))
            case .failure(let error)?: failures.append("\(error)")
            case nil: break
            }
        }
        print(format == .json ? StatsListing.json(snapshots) : StatsListing.text(snapshots))
        if !failures.isEmpty { throw CommandFailure(failures.joined(separator: "\n")) }
    }
}
