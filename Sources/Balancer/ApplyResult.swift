import BalancerContract

/// How one render-validate-install-reload went; `reply` answers BalancerQuery.reload.
public struct ApplyResult: Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable, CaseIterable { case unchanged, installed, updated, reloaded, held, failed }
    public var kind: Kind
    public var servers: Int
    public var message: String
    /// Servers added to and deleted from the running HAProxy (`updated`).
    public var added = 0
    public var deleted = 0

    public var succeeded: Bool { kind != .failed && kind != .held }

    public var reply: BalancerReply {
        switch kind {
        case .failed: return .failure(message)
        case .unchanged: return .success("unchanged: \(servers) server(s); \(message)")
        case .installed: return .success("installed: \(servers) server(s); \(message)")
        case .updated: return .success("updated: \(servers) server(s); \(message)")
        case .reloaded: return .success("reloaded: \(servers) server(s); \(message)")
        case .held: return .failure("held: \(message)")
        }
    }

    public var description: String { reply.text }
}
