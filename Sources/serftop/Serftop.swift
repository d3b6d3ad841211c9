import ArgumentParser
import Logging

@main
struct Serftop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serftop",
        abstract: "A terminal dashboard for a Serf-managed HAProxy cluster.",
        discussion: """
        Flags left out come from the configuration file, $SERFTOP_CONFIG or \
        $XDG_CONFIG_HOME/serftop/config.yaml (or --config FILE): its `defaults:`, and with \
        --cluster NAME that cluster's settings over them. Keys are the flags' names; the file \
        names files holding secrets, never secrets.
        """,
        version: "0.1.0",
        subcommands: [
            DashboardCommand.self,
            SnapshotCommand.self, MembersCommand.self, MonitorCommand.self, EventCommand.self, QueryCommand.self,
            StatsCommand.self, ServerCommand.self, ReloadCommand.self, BalancerCommand.self, DemoCommand.self,
        ],
        defaultSubcommand: DashboardCommand.self
    )

    static func main() async {
        LoggingSystem.bootstrap(EscapingLogHandler.init)
        await main(nil)
    }
}
