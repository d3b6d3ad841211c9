import ArgumentParser
import Logging
import TerminalUI

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
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // Help, versions, a bad argument and a chosen exit code are the
            // parser's own words. A failure may quote what a member, the
            // agent or HAProxy said (a seed's refusal, a runtime API answer):
            // printed, not obeyed.
            guard exitCode(for: error) == .failure, !(error is ExitCode) else { exit(withError: error) }
            exit(withError: CommandFailure(TerminalText.escapedLines(message(for: error))))
        }
    }
}
