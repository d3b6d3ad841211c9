/// What stops the balancer from installing a configuration, said so that an
/// operator knows what to fix.
public enum BalancerError: Error, Sendable, CustomStringConvertible {
    case template(path: String, reason: String)
    case invalidConfig(output: String)
    case install(path: String, reason: String)
    case haproxy(String)

    public var description: String {
        switch self {
        case .template(let path, let reason): return "template \(path): \(reason)"
        case .invalidConfig(let output):
            return "haproxy -c rejected the new configuration; the old one keeps serving: \(output)"
        case .install(let path, let reason): return "cannot install \(path): \(reason)"
        case .haproxy(let message): return message
        }
    }
}
