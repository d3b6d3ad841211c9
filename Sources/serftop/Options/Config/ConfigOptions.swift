import ArgumentParser
import Foundation
import TerminalUI

/// `--config FILE` and `--cluster NAME`: which file, and which of its
/// clusters, fill in what the flags leave out.
struct ConfigOptions: ParsableArguments {
    static let fileVariable = "SERFTOP_CONFIG"

    @Option(name: .customLong("config"),
            help: ArgumentHelp("The configuration file (default: $\(fileVariable), else $XDG_CONFIG_HOME/serftop/config.yaml).", valueName: "file"),
            completion: .file(extensions: ["yaml", "yml"]))
    var file: String?

    @Option(name: .customLong("cluster"),
            help: ArgumentHelp("Use this cluster's settings from the configuration file; flags still win.", valueName: "name"),
            completion: .custom { words, _, _ in ConfigOptions.clusterNames(words: words) })
    var cluster: String?

    /// The file named by the flag, else the environment, else the XDG place.
    static func path(flag: String?, environment env: [String: String]) -> (path: String, explicit: Bool)? {
        if let flag { return (flag, true) }
        if let named = env[fileVariable], !named.isEmpty { return (named, true) }
        if let xdg = env["XDG_CONFIG_HOME"], !xdg.isEmpty { return ("\(xdg)/serftop/config.yaml", false) }
        if let home = env["HOME"], !home.isEmpty { return ("\(home)/.config/serftop/config.yaml", false) }
        return nil
    }

    /// The file, or nil when there is none at the usual place and none was asked for.
    static func load(flag: String?, environment env: [String: String]) throws -> ConfigFile? {
        guard let (path, explicit) = path(flag: flag, environment: env) else { return nil }
        if !explicit && !FileManager.default.fileExists(atPath: path) { return nil }
        return try ConfigFile.load(path: path, environment: env)
    }

    /// The defaults with the chosen cluster over them; empty without a file.
    func profile(environment env: [String: String] = ProcessInfo.processInfo.environment) throws -> ClusterProfile {
        guard let file = try Self.load(flag: file, environment: env) else {
            if let cluster {
                let place = Self.path(flag: nil, environment: env)?.path ?? "$XDG_CONFIG_HOME/serftop/config.yaml"
                throw ConfigProblem(file: place, line: nil, reason: "no such file, so no cluster named '\(cluster)'")
            }
            return ClusterProfile()
        }
        return try file.profile(cluster: cluster)
    }

    // MARK: Completion

    /// The clusters of the file the command line names (or the usual one).
    /// A completion must never fail loudly: a broken file completes nothing.
    static func clusterNames(words: [String], environment env: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var flag: String?
        for (i, word) in words.enumerated() {
            if word == "--config", i + 1 < words.count { flag = words[i + 1] }
            if word.hasPrefix("--config=") { flag = String(word.dropFirst("--config=".count)) }
        }
        guard let file = try? load(flag: flag, environment: env) else { return [] }
        return file.clusters.keys.sorted()
    }

    /// Every theme the dashboard would find.
    static func themeNames(environment env: [String: String] = ProcessInfo.processInfo.environment,
                           executable: String? = CommandLine.arguments.first) -> [String] {
        ThemeLoader(directories: ThemeLoader.standardDirectories(environment: env, executable: executable)).available()
    }
}
