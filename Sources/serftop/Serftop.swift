import ArgumentParser

@main
struct Serftop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serftop",
        abstract: "A terminal dashboard for a Serf-managed HAProxy cluster.",
        version: "0.1.0",
        subcommands: [
            DashboardCommand.self,
            SnapshotCommand.self, MembersCommand.self, MonitorCommand.self, EventCommand.self, QueryCommand.self,
            StatsCommand.self, ServerCommand.self, ReloadCommand.self, BalancerCommand.self, DemoCommand.self,
        ],
        defaultSubcommand: DashboardCommand.self
    )
}
