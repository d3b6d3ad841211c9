import ArgumentParser
import Dashboard
import Foundation
import HAProxy
import TerminalUI

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Print what the dashboard shows, once, and leave: its screen as text or SVG, or its nodes as JSON.",
        discussion: """
        Reads the cluster as the dashboard does (the same flags: --join, --rpc, else the local agent; \
        --haproxy pages and the balancers found through gossip), scrapes every balancer once, and prints \
        the dashboard's screen at --size (text, or SVG in --theme's colours) or its node table as JSON: \
        each node's name, address, role, gossip status, LB status, weight, sessions and rate, every \
        balancer's server row for it, and the balancers with their scrape errors.
        """)

    @OptionGroup var config: ConfigOptions
    @OptionGroup var gossip: GossipOptions
    @OptionGroup var identity: MemberIdentityOptions
    @OptionGroup var statsPages: StatsPageOptions
    @OptionGroup var credentials: StatsCredentialOptions
    @OptionGroup var backendRole: BackendRoleOptions
    @Option(help: "text, svg or json.") var format: SnapshotFormat = .text
    @Option(help: ArgumentHelp("The screen's size for text and svg.", valueName: "colsxrows"))
    var size = ScreenSize(columns: 120, rows: 36)
    @Option(help: "Theme name, for svg (default by default).", completion: .custom { _, _, _ in ConfigOptions.themeNames() })
    var theme: String?

    func validate() throws { try size.validate(flag: "--size") }

    mutating func run() async throws {
        try adoptConfiguration()
        let env = ProcessInfo.processInfo.environment
        let statsCredentials = try credentials.resolve(environment: env)
        let endpoints = try statsPages.endpoints(statsCredentials)
        var gossip = self.gossip
        try identity.apply(to: &gossip)
        let (connection, description) = try await ClusterConnection.openForDashboard(gossip, statsPages: endpoints)
        let scraper = StatsScraper()
        let read: Result<ClusterModel, any Error>
        do {
            read = .success(try await ClusterReading.once(source: connection?.source, description: description, balancers: endpoints,
                                                          scraper: scraper, credentials: statsCredentials, roles: backendRole.roles))
        } catch {
            read = .failure(error)
        }
        await scraper.shutdown()
        await connection?.close()
        let model = try read.get()

        let output: String
        switch format {
        case .json:
            output = ClusterDocument(model).json() + "\n"
        case .text, .svg:
            let frame = DashboardView(glyphs: Glyphs.forEnvironment(env))
                .render(model, DashboardState(), width: size.columns, height: size.rows, now: Date())
            output = format == .text ? SnapshotFiles.text(frame) : SVGFrame.render(frame, theme: loadTheme(env))
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    /// As the dashboard would draw it; NO_COLOR: none.
    func loadTheme(_ env: [String: String]) -> Theme {
        if !(env["NO_COLOR"] ?? "").isEmpty { return .monochrome }
        let loader = ThemeLoader(directories: ThemeLoader.standardDirectories(environment: env, executable: CommandLine.arguments.first))
        let (theme, problem) = loader.load(self.theme ?? "default")
        if let problem { FileHandle.standardError.write(Data("serftop: \(problem)\n".utf8)) }
        return theme
    }
}
