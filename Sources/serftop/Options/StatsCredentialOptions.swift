import ArgumentParser
import Cluster
import Foundation

/// The stats pages' user and password, and which discovered balancers may
/// have them. The password is best kept off the command line, where every
/// user of the host can read it in the process list.
struct StatsCredentialOptions: ParsableArguments {
    static let passwordVariable = "SERFTOP_STATS_PASSWORD"

    @Option(name: .customLong("stats-user"), help: "User for the stats pages.")
    var user: String?

    @Option(name: .customLong("stats-password-file"), help: ArgumentHelp("A file holding the stats pages' password (one line).", valueName: "path"))
    var passwordFile: String?

    @Option(name: .customLong("stats-password"), help: "Password for the stats pages (visible to other users; prefer --stats-password-file or $\(passwordVariable)).")
    var password: String?

    @Option(name: .customLong("stats-credentials-for"), help: ArgumentHelp("A balancer found through gossip that may get the stats credentials; repeatable.", valueName: "host[:port]"))
    var trusted: [String] = []

    /// The flag, else the file, else the environment.
    func resolve(environment: [String: String]) throws -> StatsCredentials {
        var secret = password
        if secret == nil, let passwordFile {
            do {
                let text = try String(contentsOfFile: passwordFile, encoding: .utf8)
                secret = String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                    .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            } catch {
                throw ValidationError("--stats-password-file: cannot read \(passwordFile): \((error as NSError).localizedDescription)")
            }
        }
        if secret == nil, let value = environment[Self.passwordVariable], !value.isEmpty { secret = value }
        let authorities = try trusted.map { text in
            guard let a = StatsCredentials.Authority(text) else {
                throw ValidationError("--stats-credentials-for takes HOST or HOST:PORT, not '\(text)'")
            }
            return a
        }
        if (password != nil || passwordFile != nil) && user == nil {
            throw ValidationError("a stats password without a user: add --stats-user")
        }
        return StatsCredentials(username: user, password: secret, trusted: authorities)
    }
}
