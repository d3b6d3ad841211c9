import ArgumentParser
import Serf

struct EventCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "Join the cluster, send a user event, wait until it has been gossiped, and leave.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var gossip: GossipOptions
    @OptionGroup var identity: MemberIdentityOptions
    @Argument(help: "The event name.") var name: String
    @Argument(help: "The payload (text).") var payload: String = ""
    @Option(help: "Let agents coalesce events of the same name (true or false).") var coalesce = true

    mutating func run() async throws {
        try adoptConfiguration()
        var gossip = self.gossip
        try identity.apply(to: &gossip)
        let connection = try await ClusterConnection.open(gossip)
        do {
            try await connection.source.sendUserEvent(name: name, payload: Array(payload.utf8), coalesce: coalesce)
            if case .native(let member) = connection { await member.waitUntilEventsGossiped() }
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        print("Event '\(name)' dispatched! Coalescing enabled: \(coalesce)")
    }
}
