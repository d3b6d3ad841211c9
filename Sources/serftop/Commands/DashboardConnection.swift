import HAProxy
import Serf

extension ClusterConnection {
    /// The cluster as the dashboard reads it (and `snapshot`, which must see
    /// the same): joined, through `--rpc`, else through the local agent; and
    /// when none answers but stats pages were given, HAProxy alone, which is
    /// still worth showing. What it reads through, for the header.
    static func openForDashboard(_ gossip: GossipOptions, statsPages: [StatsEndpoint]) async throws
        -> (connection: ClusterConnection?, description: String) {
        do {
            let connection = try await ClusterConnection.open(gossip, fallbackToLocalAgent: true)
            switch connection {
            case .native(let m): return (connection, "gossip as \(await m.name)")
            case .agent(let a): return (connection, "agent at \(a.address)")
            }
        } catch {
            guard !statsPages.isEmpty, gossip.join.isEmpty, gossip.rpc == nil else { throw error }
            return (nil, "")
        }
    }
}
