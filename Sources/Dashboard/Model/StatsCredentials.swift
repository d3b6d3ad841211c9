import Foundation
import HAProxy

/// The stats pages' user and password, and where they may go. Any member
/// can tag itself role=balancer with a `stats` URL of its choosing, so a
/// discovered balancer gets them only when the operator has named it
/// (`--stats-credentials-for HOST[:PORT]`); pages given with `--haproxy`
/// always do.
public struct StatsCredentials: Sendable, Equatable {
    public var username: String?
    public var password: String?
    /// Discovered balancers trusted with the credentials.
    public var trusted: [Authority] = []

    public init(username: String? = nil, password: String? = nil, trusted: [Authority] = []) {
        self.username = username
        self.password = password
        self.trusted = trusted
    }

    /// `HOST` (any port) or `HOST:PORT`, as the operator names a balancer.
    public struct Authority: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int?

        public init?(_ text: String) {
            var rest = Substring(text.trimmingCharacters(in: .whitespaces))
            if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
            rest = rest.prefix { $0 != "/" }
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                host = String(rest[rest.index(after: rest.startIndex) ..< close])
                let after = rest[rest.index(after: close)...]
                if after.isEmpty { port = nil } else {
                    guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (1 ... 65535).contains(p) else { return nil }
                    port = p
                }
            } else if rest.filter({ $0 == ":" }).count == 1, let colon = rest.firstIndex(of: ":") {
                host = String(rest[..<colon])
                guard let p = Int(rest[rest.index(after: colon)...]), (1 ... 65535).contains(p) else { return nil }
                port = p
            } else {
                host = String(rest)
                port = nil
            }
            host = host.lowercased()
            guard !host.isEmpty else { return nil }
        }

        public func matches(_ endpoint: StatsEndpoint) -> Bool {
            guard endpoint.host.lowercased() == host else { return false }
            return port == nil || port == endpoint.port
        }

        public var description: String {
            let h = host.contains(":") ? "[\(host)]" : host
            return port.map { "\(h):\($0)" } ?? h
        }
    }

    /// Whether a discovered balancer's page may get the credentials.
    public func trusts(_ endpoint: StatsEndpoint) -> Bool { trusted.contains { $0.matches(endpoint) } }

    /// A page given on the command line: its own credentials, else these.
    public func configured(_ text: String) throws(HAProxyError) -> StatsEndpoint {
        try StatsEndpoint(text, username: username, password: password)
    }

    /// A page a member advertises: these credentials only if it is trusted.
    public func discovered(_ text: String) throws(HAProxyError) -> StatsEndpoint {
        let bare = try StatsEndpoint(text)
        guard trusts(bare), username != nil else { return bare }
        return try StatsEndpoint(text, username: username, password: password)
    }
}
