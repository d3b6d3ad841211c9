import ArgumentParser
import BalancerContract
import Foundation
import Memberlist
import Serf

/// How serftop reaches the cluster: joining it natively, or through a local agent.
struct GossipOptions: ParsableArguments {
    @Option(name: .customLong("join"), help: ArgumentHelp("Join through this member (HOST[:PORT], port 7946 by default); repeatable.", valueName: "host[:port]"))
    var join: [String] = []

    @Option(help: ArgumentHelp("Where to listen for gossip (port 0 picks a free port; \(Self.defaultBind) by default).", valueName: "addr:port"))
    var bind: String?
    static let defaultBind = "0.0.0.0:7946"

    @Option(help: ArgumentHelp("Address (and port) to tell other members.", valueName: "addr[:port]"))
    var advertise: String?

    @Option(help: "Gossip encryption key: base64 of 16, 24 or 32 bytes, as `serf agent -encrypt`.")
    var encrypt: String?

    @Option(name: .customLong("encrypt-key-file"), help: ArgumentHelp("A file holding the gossip encryption key, as --encrypt takes it.", valueName: "file"))
    var encryptKeyFile: String?

    @Option(name: .customLong("keyring-file"), help: "A JSON array of base64 keys; the first is primary.")
    var keyringFile: String?

    @Option(help: ArgumentHelp("Read the cluster through a local serf agent's RPC instead of joining.", valueName: "addr:port"))
    var rpc: String?

    @Option(name: .customLong("rpc-auth"), help: "The agent's RPC auth key, if it has one.")
    var rpcAuth: String?

    @Option(help: "Gossip timing profile: lan (as serf agent, the default) or local.")
    var profile: SerfMemberConfig.Profile?

    /// Our member's name and tags (`--node` and `--tag` where a command
    /// offers them for that).
    var node: String?
    var tags: [String: String] = [ClusterRoles.tag: ClusterRoles.observer]

    enum CodingKeys: CodingKey {
        case join, bind, advertise, encrypt, encryptKeyFile, keyringFile, rpc, rpcAuth, profile
    }

    func keys() throws -> [[UInt8]] {
        var keys: [[UInt8]] = []
        if let encrypt { keys.append(try Keyring.decodeKey(encrypt)) }
        if let encryptKeyFile {
            let text: String
            do { text = try String(contentsOfFile: encryptKeyFile, encoding: .utf8) } catch {
                throw ValidationError("--encrypt-key-file: cannot read \(encryptKeyFile): \((error as NSError).localizedDescription)")
            }
            let key = try Keyring.decodeKey(text.trimmingCharacters(in: .whitespacesAndNewlines))
            if !keys.contains(key) { keys.append(key) }
        }
        if let keyringFile {
            for k in try Keyring.load(file: keyringFile).keys where !keys.contains(k) { keys.append(k) }
        }
        return keys
    }

    func memberConfig() throws -> SerfMemberConfig {
        let bind = self.bind ?? Self.defaultBind
        guard let (host, port) = splitHostPort(bind, defaultPort: 7946) else {
            throw ValidationError("--bind takes ADDR:PORT, not '\(bind)'")
        }
        var config = SerfMemberConfig(nodeName: node ?? Self.uniqueName(), tags: tags)
        config.bindHost = host
        config.bindPort = port
        if let advertise {
            guard let (ahost, aport) = splitHostPort(advertise, defaultPort: -1) else {
                throw ValidationError("--advertise takes ADDR[:PORT], not '\(advertise)'")
            }
            config.advertiseHost = ahost
            config.advertisePort = aport >= 0 ? aport : nil
        }
        config.seeds = join
        config.keys = try keys()
        config.keyringFile = keyringFile
        config.profile = profile ?? .lan
        return config
    }

    static func uniqueName() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return "serftop-\(host)-\(String(UInt16.random(in: 0 ... .max), radix: 16))"
    }
}

extension SerfMemberConfig.Profile: ExpressibleByArgument {}

/// `--node` and `--tag` for commands where they name and tag our member
/// (in `members` and `query` the same flags filter, as in `serf`).
struct MemberIdentityOptions: ParsableArguments {
    @Option(help: "Our node name (unique by default).")
    var node: String?

    @Option(name: .customLong("tag"), help: ArgumentHelp("A tag for our member, k=v (\(ClusterRoles.tag)=\(ClusterRoles.observer) by default); repeatable.", valueName: "k=v"))
    var tags: [String] = []

    func apply(to gossip: inout GossipOptions) throws {
        gossip.node = node
        gossip.tags = try parsedTags()
    }

    func parsedTags() throws -> [String: String] {
        var out = [ClusterRoles.tag: ClusterRoles.observer]
        for (k, v) in try parseKeyValues(tags, flag: "--tag", what: "k=v") { out[k] = v }
        return out
    }
}

/// `k=v` pairs from repeated flags.
func parseKeyValues(_ items: [String], flag: String, what: String) throws -> [String: String] {
    var out: [String: String] = [:]
    for t in items {
        guard let eq = t.firstIndex(of: "="), eq != t.startIndex else {
            throw ValidationError("\(flag) takes \(what), not '\(t)'")
        }
        out[String(t[..<eq])] = String(t[t.index(after: eq)...])
    }
    return out
}
