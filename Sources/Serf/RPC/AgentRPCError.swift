/// What went wrong talking to a local `serf agent`, in words.
public enum AgentRPCError: Error, Sendable, CustomStringConvertible, Equatable {
    case cannotConnect(address: String, reason: String)
    case agent(command: String, message: String)
    case authRequired(address: String)
    case disconnected(address: String)
    case unexpectedReply(command: String, detail: String)
    case noAnswer(command: String, address: String, after: Duration)

    public var description: String {
        switch self {
        case .cannotConnect(let a, let r):
            return "cannot reach the serf agent at \(a): \(r) — is `serf agent` running there? Or pass --join HOST to join the cluster directly"
        case .agent(let c, let m):
            return "the serf agent refused '\(c)': \(m)"
        case .authRequired(let a):
            return "the serf agent at \(a) requires an RPC auth key: pass --rpc-auth KEY"
        case .disconnected(let a):
            return "the connection to the serf agent at \(a) was closed"
        case .unexpectedReply(let c, let d):
            return "the serf agent answered '\(c)' with something unexpected: \(d)"
        case .noAnswer(let c, let a, let after):
            return "the serf agent at \(a) did not answer '\(c)' within \(after) (stopped, or swamped?); the connection was closed"
        }
    }
}
