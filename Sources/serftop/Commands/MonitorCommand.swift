import Presentation
import ArgumentParser
import Foundation
import Serf

struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Stay in the cluster and print membership changes and user events as they happen.",
        discussion: "Runs until interrupted (Ctrl-C or SIGTERM), then leaves the cluster gracefully.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var gossip: GossipOptions
    @OptionGroup var identity: MemberIdentityOptions
    @Option(help: "text or json (one object per line).") var format: OutputFormat = .text

    mutating func run() async throws {
        try adoptConfiguration()
        var gossip = self.gossip
        try identity.apply(to: &gossip)
        let connection = try await ClusterConnection.open(gossip)
        let format = self.format
        try await TerminationSignal.run({
            for try await event in try await connection.source.events() {
                let lines = format == .json ? EventLine.json(event) : EventLine.text(event)
                for line in lines { print(line) }
                fflush(nil)
            }
        }, cleanup: {
            await connection.close()
        })
    }
}
