import ArgumentParser
import Dashboard
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

    func resolve(environment: [String: String]) throws -> StatsCredentials {
        let secret = try Self.password(flag: password, file: passwordFile, fileFlag: "--stats-password-file", environment: environment)
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

    /// The flag, else the file's first line, else the environment.
    static func password(flag: String?, file: String?, fileFlag: String, environment: [String: String]) throws -> String? {
        if let flag { return flag }
        if let file {
            do {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                    .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            } catch {
                throw ValidationError("\(fileFlag): cannot read \(file): \((error as NSError).localizedDescription)")
            }
        }
        if let value = environment[passwordVariable], !value.isEmpty { return value }
        return nil
    }
}

/// The stats page's password for the one-shot commands (`stats`, `server`),
/// from the flag, a file or the environment as for the dashboard.
struct PagePasswordOptions: ParsableArguments {
    @Option(help: "Password for the stats page (visible to other users; prefer --password-file or $\(StatsCredentialOptions.passwordVariable)).")
    var password: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp("A file holding the stats page's password (one line).", valueName: "path"))
    var passwordFile: String?

    func secret() throws -> String? {
        try StatsCredentialOptions.password(flag: password, file: passwordFile, fileFlag: "--password-file",
                                            environment: ProcessInfo.processInfo.environment)
    }
}
