import ArgumentParser
import Foundation
import Serf

/// The shared key that signs and checks queries that change a balancer.
/// From a file, or the environment (never a command-line value: `ps` shows
/// arguments to every user of the machine).
struct ActionKeyOptions: ParsableArguments {
    @Option(name: .customLong("action-key-file"),
            help: ArgumentHelp("The key that signs (and, for the balancer, checks) drain, ready, maint and reload queries. Also SERFTOP_ACTION_KEY_FILE, or the key itself in SERFTOP_ACTION_KEY.", valueName: "file"))
    var file: String?

    static let fileVariable = "SERFTOP_ACTION_KEY_FILE"
    static let keyVariable = "SERFTOP_ACTION_KEY"

    /// The key, if one is configured.
    func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ActionKey? {
        do {
            if let file { return try ActionKey(file: file) }
            if let path = environment[Self.fileVariable], !path.isEmpty { return try ActionKey(file: path) }
            if let secret = environment[Self.keyVariable], !secret.isEmpty {
                return try ActionKey(secret: Array(secret.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
            }
            return nil
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
