/// Where a HAProxy socket is: `tcp://HOST:PORT`, `HOST:PORT`, or `unix:/path`
/// (a bare absolute path works too).
public enum HAProxyAddress: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String)

    public init?(_ text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { return nil }
            self = .unix(path: path)
        } else if text.hasPrefix("/") {
            self = .unix(path: text)
        } else {
            var rest = Substring(text)
            if rest.hasPrefix("tcp://") { rest = rest.dropFirst(6) }
            if rest.hasPrefix("ipv4@") { rest = rest.dropFirst(5) }
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                  (1 ... 65535).contains(port) else { return nil }
            var host = String(rest[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            self = .tcp(host: host, port: port)
        }
    }

    public var description: String {
        switch self {
        case .tcp(let h, let p): return h.contains(":") ? "tcp://[\(h)]:\(p)" : "tcp://\(h):\(p)"
        case .unix(let p): return "unix:\(p)"
        }
    }
}
