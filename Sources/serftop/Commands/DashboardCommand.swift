import ArgumentParser
import BalancerContract
import Dashboard
import Foundation
import HAProxy
import Serf
import TerminalUI

struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The live dashboard (the default): gossip status beside HAProxy's view of every node.",
        discussion: """
        With no --join and no --rpc, serftop reads the cluster through the local agent on 127.0.0.1:7373,
        so that on a cluster host `serftop` alone just works. Balancers are the --haproxy pages, plus every
        member tagged \(ClusterRoles.tag)=\(ClusterRoles.defaultBalancer) (scraped at http://ADDRESS:1936/;csv, or its `stats` tag).
        Servers are the members tagged \(ClusterRoles.tag)=\(ClusterRoles.defaultBackend), or the --backend-role that
        `serftop balancer` is given: give the dashboard the same one. The stats
        user and password go to the --haproxy pages, and to a discovered balancer only when it is named
        with --stats-credentials-for: any member can tag itself a balancer.
        """)

    @OptionGroup var config: ConfigOptions
    @OptionGroup var gossip: GossipOptions
    @OptionGroup var identity: MemberIdentityOptions

    @OptionGroup var statsPages: StatsPageOptions
    @OptionGroup var credentials: StatsCredentialOptions
    @OptionGroup var actionKey: ActionKeyOptions
    @OptionGroup var runtimeAPI: RuntimeAPIOptions
    @OptionGroup var backendRole: BackendRoleOptions
    @Option(name: .customLong("haproxy-master"), help: ArgumentHelp("Master CLI for reloads: unix:/path or tcp://HOST:PORT.", valueName: "addr"))
    var master: String?
    @Option(help: ArgumentHelp("Command that starts a new node; {name} is replaced by its name.", valueName: "cmd"))
    var provision: String?
    @Flag(name: .customLong("read-only"), inversion: .prefixedNo, help: "Refuse every action and hide their keys.") var readOnly: Bool?
    @Option(help: "Theme name (themes/*.yaml, or $XDG_CONFIG_HOME/serftop/themes/; default by default).",
            completion: .custom { _, _, _ in ConfigOptions.themeNames() })
    var theme: String?
    @Option(help: "Seconds between refreshes (1 by default).") var refresh: Double?
    @OptionGroup var snapshots: SnapshotDirectoryOptions

    mutating func run() async throws {
        try adoptConfiguration()
        var settings = DashboardRuntime.Settings()
        settings.refresh = .milliseconds(Int64(max(0.1, refresh ?? 1) * 1000))
        settings.statsCredentials = try credentials.resolve(environment: ProcessInfo.processInfo.environment)
        settings.actionKey = try actionKey.load()
        settings.themeName = theme ?? "default"
        let env = ProcessInfo.processInfo.environment
        settings.noColor = !(env["NO_COLOR"] ?? "").isEmpty
        settings.routing.runtimeAPI = try runtimeAPI.address()
        settings.roles = backendRole.roles
        if let master {
            guard let m = HAProxyAddress(master) else { throw ValidationError("\(HAProxyError.badAddress(master))") }
            settings.routing.masterCLI = m
        }
        settings.routing.provisionCommand = provision
        settings.snapshotDirectory = snapshots.directory
        // Quitting is bounded as a signal is: the dashboard waits for what it
        // started, and leaves the cluster, within the grace, and a signal
        // meanwhile exits at once. (The demo has children to stop first.)
        settings.onQuit = { ExitGuard.arm(within: ExitGuard.grace) }
        let endpoints = try statsPages.endpoints(settings.statsCredentials)

        var gossip = self.gossip
        try identity.apply(to: &gossip)
        let (connection, description) = try await ClusterConnection.openForDashboard(gossip, statsPages: endpoints)
        settings.routing.serfQueries = connection != nil

        await Self.show(source: connection?.source, description: description, endpoints: endpoints,
                        settings: settings, readOnly: readOnly ?? false)
        if let connection {
            print("leaving the cluster…")
            await connection.close()
        }
    }

    /// The dashboard on the terminal until the operator quits.
    static func show(source: (any MembershipSource)?, description: String, endpoints: [StatsEndpoint],
                     settings: DashboardRuntime.Settings, readOnly: Bool, themeDirectories: [String] = []) async {
        let env = ProcessInfo.processInfo.environment
        let scraper = StatsScraper()
        let screen = NCursesScreen(noColor: settings.noColor)
        ExitGuard.beforeForcedExit = { NCursesScreen.restoreTerminal() }
        var settings = settings
        settings.stopSignal = { _ = await TerminationSignal.wait() }
        let runtime = DashboardRuntime(
            screen: screen, source: source, sourceDescription: description, balancers: endpoints,
            scraper: scraper, settings: settings, readOnly: readOnly,
            themes: ThemeLoader(directories: ThemeLoader.standardDirectories(environment: env, executable: CommandLine.arguments.first) + themeDirectories),
            glyphs: Glyphs.forEnvironment(env))
        await runtime.run()
        screen.stop()
        await scraper.shutdown()
    }
}
