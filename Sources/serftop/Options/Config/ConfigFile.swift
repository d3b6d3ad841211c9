import Dashboard
import Foundation
import HAProxy
import Serf
import TerminalUI
import Yams

/// The configuration file: settings for every cluster (`defaults:`) and
/// named clusters (`clusters:`), each value checked as its flag would be.
///
/// ```yaml
/// defaults:
///   theme: dark
/// clusters:
///   prod:
///     join: [ha1.prod.example:7946, ha2.prod.example]
///     keyring-file: ~/.config/serftop/prod.keyring
/// ```
struct ConfigFile: Equatable {
    var path: String
    var defaults = ClusterProfile()
    var clusters: [String: ClusterProfile] = [:]

    /// The settings for `cluster` (the defaults alone when nil).
    func profile(cluster: String?) throws -> ClusterProfile {
        guard let cluster else { return defaults }
        guard let own = clusters[cluster] else {
            let known = clusters.keys.sorted()
            throw ConfigProblem(file: path, line: nil,
                                reason: "no cluster named '\(cluster)' (\(known.isEmpty ? "the file names none" : "known: " + known.joined(separator: ", ")))")
        }
        return own.over(defaults)
    }

    static func load(path: String, environment: [String: String]) throws -> ConfigFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigProblem(file: path, line: nil, reason: "cannot read it: \((error as NSError).localizedDescription)")
        }
        return try parse(text, path: path, environment: environment)
    }

    static func parse(_ text: String, path: String, environment: [String: String]) throws -> ConfigFile {
        var file = ConfigFile(path: path)
        let node: Yams.Node
        do {
            guard let n = try Yams.compose(yaml: text) else { return file }
            node = n
        } catch let e as YamlError {
            throw ConfigProblem(file: path, line: ThemeLoader.yamlLine(e), reason: ThemeLoader.yamlReason(e))
        }
        let reader = Reader(path: path, environment: environment)
        guard let top = node.mapping else { throw reader.problem(node, "expected `defaults:` and `clusters:`") }
        for (key, value) in top {
            switch key.string {
            case "defaults":
                file.defaults = try reader.profile(value, in: "defaults")
            case "clusters":
                guard let clusters = value.mapping else { throw reader.problem(value, "`clusters:` maps cluster names to their settings") }
                for (name, settings) in clusters {
                    guard let n = name.string, ConfigFile.isClusterName(n) else {
                        throw reader.problem(name, "'\(name.string ?? "?")' is not a cluster name (letters, digits, '-', '_', '.')")
                    }
                    file.clusters[n] = try reader.profile(settings, in: "cluster '\(n)'")
                }
            default:
                throw reader.problem(key, "unknown key '\(key.string ?? "?")' (the file has `defaults:` and `clusters:`)")
            }
        }
        return file
    }

    /// Names that a shell completes and a terminal shows as they are.
    static func isClusterName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.first != "-"
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }
    }

    /// Reads one profile's values, refusing what the matching flag would.
    struct Reader {
        var path: String
        var environment: [String: String]

        func problem(_ node: Yams.Node, _ reason: String) -> ConfigProblem {
            ConfigProblem(file: path, line: node.mark?.line, reason: reason)
        }

        func profile(_ node: Yams.Node, in context: String) throws -> ClusterProfile {
            guard let mapping = node.mapping else {
                if node.scalar?.string.isEmpty == true { return ClusterProfile() }
                throw problem(node, "\(context): expected settings (key: value)")
            }
            var p = ClusterProfile()
            for (k, v) in mapping {
                let name = k.string ?? "?"
                guard let key = ConfigKey(rawValue: name) else {
                    if let instead = ConfigKey.refusedSecrets[name] {
                        throw problem(k, "\(context): '\(name)' would keep a secret in this file: \(instead)")
                    }
                    throw problem(k, "\(context): unknown key '\(name)' (known: \(ConfigKey.known))")
                }
                let value = Value(reader: self, node: v, key: name, context: context)
                switch key {
                case .join: p.join = try value.strings { splitHostPort($0, defaultPort: 7946) != nil ? nil : "HOST[:PORT]" }
                case .rpc: p.rpc = try value.string { splitHostPort($0, defaultPort: 7373) != nil ? nil : "ADDR:PORT" }
                case .bind: p.bind = try value.string { splitHostPort($0, defaultPort: 7946) != nil ? nil : "ADDR:PORT" }
                case .advertise: p.advertise = try value.string { splitHostPort($0, defaultPort: -1) != nil ? nil : "ADDR[:PORT]" }
                case .encryptKeyFile: p.encryptKeyFile = try value.path()
                case .keyringFile: p.keyringFile = try value.path()
                case .profile:
                    let names = SerfMemberConfig.Profile.allValueStrings.joined(separator: " or ")
                    p.profile = SerfMemberConfig.Profile(rawValue: try value.string { SerfMemberConfig.Profile(rawValue: $0) != nil ? nil : names })
                case .haproxy: p.haproxy = try value.strings { text in
                        (try? StatsEndpoint(text)) != nil ? nil : "a stats page, HOST[:PORT] or URL"
                    }
                case .statsUser: p.statsUser = try value.string { $0.contains(":") ? "a user name without ':'" : nil }
                case .statsPasswordFile: p.statsPasswordFile = try value.path()
                case .statsCredentialsFor: p.statsCredentialsFor = try value.strings {
                        StatsCredentials.Authority($0) != nil ? nil : "HOST or HOST:PORT"
                    }
                case .runtimeAPI: p.runtimeAPI = try value.string { HAProxyAddress($0) != nil ? nil : "unix:/path or tcp://HOST:PORT" }
                case .haproxyMaster: p.haproxyMaster = try value.string { HAProxyAddress($0) != nil ? nil : "unix:/path or tcp://HOST:PORT" }
                case .actionKeyFile: p.actionKeyFile = try value.path()
                case .backendRole: p.backendRole = try value.string { _ in nil }
                case .readOnly: p.readOnly = try value.bool()
                case .theme: p.theme = try value.string { ThemeName.isValid($0) ? nil : "a theme name (letters, digits, '-', '_')" }
                case .refresh: p.refresh = try value.number(in: 0.1 ... 3600, unit: "seconds")
                }
            }
            return p
        }
    }

    /// One value, and the messages that name its key and line.
    struct Value {
        var reader: Reader
        var node: Yams.Node
        var key: String
        var context: String

        func wrong(_ what: String, _ at: Yams.Node? = nil) -> ConfigProblem {
            let shown = (at ?? node).scalar.map { "'\($0.string)'" } ?? (node.sequence != nil ? "a list" : "a mapping")
            return reader.problem(at ?? node, "\(context): '\(key)' takes \(what), not \(shown)")
        }

        func scalar(_ node: Yams.Node, _ check: (String) -> String?) throws -> String {
            guard let s = node.scalar, !s.string.isEmpty, NSNull.construct(from: s) == nil else { throw wrong(check("") ?? "a value", node) }
            if let expected = check(s.string) { throw wrong(expected, node) }
            return s.string
        }

        /// `check` returns what the value should have been, or nil if it is fine.
        func string(_ check: (String) -> String?) throws -> String {
            guard node.scalar != nil else { throw wrong(check("") ?? "one value") }
            return try scalar(node, check)
        }

        /// A list, or a single value for a list of one.
        func strings(_ check: (String) -> String?) throws -> [String] {
            if let items = node.sequence {
                guard !items.isEmpty else { throw wrong("at least one value") }
                return try items.map { try scalar($0, check) }
            }
            return [try string(check)]
        }

        func bool() throws -> Bool {
            guard let b = node.scalar.flatMap({ Bool.construct(from: $0) }) else { throw wrong("true or false") }
            return b
        }

        func number(in range: ClosedRange<Double>, unit: String) throws -> Double {
            guard let d = node.scalar.flatMap({ Double.construct(from: $0) }), range.contains(d) else {
                throw wrong("\(unit) from \(range.lowerBound) to \(range.upperBound)")
            }
            return d
        }

        /// `~/` is the home directory; a relative path is relative to the
        /// file, wherever the command runs.
        func path() throws -> String {
            let text = try string { _ in nil }
            if text == "~" || text.hasPrefix("~/") {
                guard let home = reader.environment["HOME"], !home.isEmpty else { throw wrong("an absolute path ($HOME is not set)") }
                return home + text.dropFirst()
            }
            if text.hasPrefix("/") { return text }
            let dir = URL(fileURLWithPath: reader.path).deletingLastPathComponent()
            return dir.appendingPathComponent(text).standardized.path
        }
    }
}
