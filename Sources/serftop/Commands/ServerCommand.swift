import ArgumentParser
import HAProxy

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Set a server ready, drain, maint, or its weight, through the runtime API or the stats page.",
        discussion: """
        serftop server drain nodes/s1 --runtime-api unix:/run/haproxy/admin.sock
        serftop server weight nodes/s1 50 --runtime-api tcp://127.0.0.1:9999
        serftop server maint nodes/s1 --haproxy http://127.0.0.1:1936/ --stats-user admin --stats-password-file pw
        """)

    @Argument(help: "ready, drain, maint or weight.") var action: String
    @Argument(help: "BACKEND/SERVER.") var target: String
    @Argument(help: "The weight, for `weight`.") var weight: Int?
    @OptionGroup var config: ConfigOptions
    @OptionGroup var runtimeAPI: RuntimeAPIOptions
    @Option(name: .customLong("haproxy"), help: ArgumentHelp("A stats page with `stats admin` enabled.", valueName: "url"))
    var url: String?
    @OptionGroup var login: StatsLoginOptions

    mutating func run() async throws {
        try adoptConfiguration()
        guard let act = ServerAction(action, weight: weight) else {
            throw ValidationError(action == "weight" ? "weight needs a value: serftop server weight BACKEND/SERVER N"
                                                     : "the action is ready, drain, maint or weight, not '\(action)'")
        }
        let parts = target.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationError("name the server as BACKEND/SERVER, e.g. nodes/s1")
        }
        let outcome: ActionOutcome
        if let address = try runtimeAPI.address() {
            outcome = await ServerControl(runtimeAPI: address).apply(act, backend: parts[0], server: parts[1])
        } else if let url {
            let scraper = StatsScraper()
            outcome = await ServerControl(statsPage: try StatsEndpoint(url, username: login.username, password: try login.secret()), scraper: scraper)
                .apply(act, backend: parts[0], server: parts[1])
            await scraper.shutdown()
        } else {
            throw ValidationError("say where HAProxy is: --runtime-api ADDR or --haproxy URL (stats page)")
        }
        guard outcome.succeeded else { throw CommandFailure(outcome.message) }
        print(outcome.message)
    }
}
