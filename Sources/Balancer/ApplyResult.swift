/// How one render-validate-install-reload went; the text answers `serftop-reload`.
public struct ApplyResult: Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case unchanged, installed, reloaded, held, failed }
    public var kind: Kind
    public var servers: Int
    public var message: String

    public var succeeded: Bool { kind != .failed && kind != .held }

    public var description: String {
        switch kind {
        case .failed: return "error: \(message)"
        case .unchanged: return "unchanged: \(servers) server(s); \(message)"
        case .installed: return "installed: \(servers) server(s); \(message)"
        case .reloaded: return "reloaded: \(servers) server(s); \(message)"
        case .held: return "error: held: \(message)"
        }
    }
}
