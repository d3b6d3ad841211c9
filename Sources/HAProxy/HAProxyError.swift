/// Failures talking to HAProxy, in words an operator can act on.
public enum HAProxyError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreachable(what: String, address: String, reason: String)
    case timedOut(what: String, after: Duration)
    case http(status: Int, url: String, hint: String)
    case parse(StatsParseError, url: String)
    case badAddress(String)
    case refused(String)
    /// A name HAProxy would not take; nothing was sent.
    case invalidName(kind: String, name: String, String)

    public var description: String {
        switch self {
        case .unreachable(let what, let address, let reason): return "cannot reach \(what) at \(address): \(reason)"
        case .timedOut(let what, let after): return "\(what) gave no answer within \(after)"
        case .http(let status, let url, let hint): return "HTTP \(status) from \(url)" + (hint.isEmpty ? "" : ": \(hint)")
        case .parse(let error, let url): return "\(url): \(error)"
        case .badAddress(let a): return "'\(a)' is not a HAProxy socket address (tcp://HOST:PORT or unix:/path)"
        case .refused(let why): return why
        case .invalidName(let kind, let name, let problem):
            return "\(name) cannot be a HAProxy \(kind) name: \(problem) (HAProxy takes \(HAProxyName.rule)); nothing was sent"
        }
    }
}
