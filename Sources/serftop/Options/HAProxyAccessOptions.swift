import ArgumentParser
import BalancerContract
import Foundation
import HAProxy

// Each concept has one spelling across commands. The spellings some commands
// used before are still read, hidden from the help, so that scripts keep
// working; giving both with different values is an error.

/// `value ?? alias`, refusing two different values.
func merged<T: Equatable>(_ value: T?, _ flag: String, alias: T?, _ aliasFlag: String) throws -> T? {
    if let value, let alias, value != alias {
        throw ValidationError("\(aliasFlag) is the old spelling of \(flag): give one of them")
    }
    return value ?? alias
}

/// HAProxy's runtime API (its stats socket at level admin).
struct RuntimeAPIOptions: ParsableArguments {
    @Option(name: .customLong("runtime-api"), help: ArgumentHelp("HAProxy's runtime API (stats socket, level admin): unix:/path or tcp://HOST:PORT.", valueName: "addr"))
    var runtimeAPI: String?
    @Option(name: .customLong("haproxy-admin"), help: .hidden)
    var haproxyAdmin: String?

    func validate() throws {
        _ = try merged(runtimeAPI, "--runtime-api", alias: haproxyAdmin, "--haproxy-admin")
    }

    func address() throws -> HAProxyAddress? {
        guard let text = runtimeAPI ?? haproxyAdmin else { return nil }
        guard let a = HAProxyAddress(text) else { throw ValidationError("--runtime-api: \(HAProxyError.badAddress(text))") }
        return a
    }
}

/// The user and password of HAProxy's stats pages.
struct StatsLoginOptions: ParsableArguments {
    static let passwordVariable = "SERFTOP_STATS_PASSWORD"

    @Option(name: .customLong("stats-user"), help: "User for the stats pages (or put USER:PASS@ in a page's URL).")
    var user: String?
    @Option(name: .customLong("stats-password-file"), help: ArgumentHelp("A file holding the stats pages' password (one line).", valueName: "path"))
    var passwordFile: String?
    @Option(name: .customLong("stats-password"), help: "Password for the stats pages (visible to other users; prefer --stats-password-file or $\(passwordVariable)).")
    var password: String?

    @Option(name: .customLong("user"), help: .hidden) var oldUser: String?
    @Option(name: .customLong("password-file"), help: .hidden) var oldPasswordFile: String?
    @Option(name: .customLong("password"), help: .hidden) var oldPassword: String?

    func validate() throws {
        _ = try merged(user, "--stats-user", alias: oldUser, "--user")
        _ = try merged(passwordFile, "--stats-password-file", alias: oldPasswordFile, "--password-file")
        _ = try merged(password, "--stats-password", alias: oldPassword, "--password")
    }

    var username: String? { user ?? oldUser }
    var givesPassword: Bool { (password ?? oldPassword) != nil || (passwordFile ?? oldPasswordFile) != nil }

    /// The flag, else the file's first line, else the environment.
    func secret(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        if let flag = password ?? oldPassword { return flag }
        if let file = passwordFile ?? oldPasswordFile {
            do {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                    .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            } catch {
                throw ValidationError("--stats-password-file: cannot read \(file): \((error as NSError).localizedDescription)")
            }
        }
        if let value = environment[Self.passwordVariable], !value.isEmpty { return value }
        return nil
    }
}

/// Which members are servers: `serftop balancer` makes servers of them, and
/// the dashboard must be told the same value to find them.
struct BackendRoleOptions: ParsableArguments {
    @Option(name: .customLong("backend-role"), help: ArgumentHelp("Members whose \(ClusterRoles.tag) tag has this value are the servers.", valueName: "role"))
    var backendRole: String?
    @Option(name: .customLong("role"), help: .hidden) var oldRole: String?

    func validate() throws {
        _ = try merged(backendRole, "--backend-role", alias: oldRole, "--role")
    }

    var roles: ClusterRoles { ClusterRoles(backend: backendRole ?? oldRole ?? ClusterRoles.defaultBackend) }
}
