import Logging
import Serf

/// The cluster as serftop reads it: our own gossip member, or a local agent.
enum ClusterConnection {
    case native(SerfMember)
    case agent(AgentSession)

    var source: any MembershipSource {
        switch self {
        case .native(let m): return m
        case .agent(let a): return a
        }
    }

    /// `--rpc` uses the agent; otherwise we join with our own member.
    /// `fallbackToLocalAgent`: with no `--join` either, use an agent on
    /// 127.0.0.1:7373 (so that `serftop` alone works on a cluster host).
    static func open(_ options: GossipOptions, fallbackToLocalAgent: Bool = false,
                     logger: Logger = Logger(label: "serftop")) async throws -> ClusterConnection {
        if let rpc = options.rpc {
            return .agent(try await AgentSession.connect(rpc, authKey: options.rpcAuth))
        }
        if options.join.isEmpty && fallbackToLocalAgent {
            return .agent(try await AgentSession.connect("127.0.0.1:7373", authKey: options.rpcAuth))
        }
        guard !options.join.isEmpty else {
            throw CommandFailure("no cluster to join: pass --join HOST[:PORT] (any member), or --rpc ADDR for a local agent")
        }
        let member = try await SerfMember.start(try options.memberConfig(), logger: logger)
        do {
            _ = try await member.join(options.join)
        } catch {
            await member.shutdown()
            throw error
        }
        return .native(member)
    }

    /// Leaves gracefully (native) or disconnects (agent).
    func close() async {
        try? await source.close()
    }
}

/// A failure to print as it is, with a non-zero exit.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
