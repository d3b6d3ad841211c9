import ArgumentParser
import Dashboard
import Foundation

/// The stats pages' user and password, and which discovered balancers may
/// have them. The password is best kept off the command line, where every
/// user of the host can read it in the process list.
struct StatsCredentialOptions: ParsableArguments {
    @OptionGroup var login: StatsLoginOptions

    @Option(name: .customLong("stats-credentials-for"), help: ArgumentHelp("A balancer found through gossip that may get the stats credentials; repeatable.", valueName: "host[:port]"))
    var trusted: [String] = []

    func resolve(environment: [String: String]) throws -> StatsCredentials {
        let secret = try login.secret(environment: environment)
        let authorities = try trusted.map { text in
            guard let a = StatsCredentials.Authority(text) else {
                throw ValidationError("--stats-credentials-for takes HOST or HOST:PORT, not '\(text)'")
            }
            return a
        }
        if login.givesPassword && login.username == nil {
            throw ValidationError("a stats password without a user: add --stats-user")
        }
        return StatsCredentials(username: login.username, password: secret, trusted: authorities)
    }
}
