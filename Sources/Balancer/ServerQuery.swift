import HAProxy

/// The payload of a `serftop-server` query: `drain|ready|maint NAME`.
public struct ServerQuery: Sendable, Equatable {
    public var action: ServerAction
    public var server: HAProxyName

    public init(action: ServerAction, server: HAProxyName) {
        self.action = action
        self.server = server
    }

    public init(parsing payload: String) throws(BalancerError) {
        let words = payload.split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.count == 2 else {
            throw .haproxy("expected 'drain|ready|maint NAME', got '\(payload.prefix(80))'")
        }
        switch words[0].lowercased() {
        case "drain": action = .drain
        case "ready": action = .ready
        case "maint": action = .maint
        default: throw .haproxy("unknown server action '\(words[0])': use drain, ready or maint")
        }
        do {
            server = try HAProxyName(words[1])
        } catch {
            throw .haproxy("\(error)")
        }
    }
}
