import ArgumentParser
import BalancerContract
import Dashboard
import Foundation
import HAProxy
import Serf

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole system on this machine and open the dashboard on it.",
        discussion: """
        Starts, on 127.0.0.1 with free ports: a serf agent tagged \(ClusterRoles.tag)=\(ClusterRoles.defaultBalancer), haproxy in \
        master-worker mode, `serftop balancer`, and N web apps (Node.js + serf agent tagged \
        \(ClusterRoles.tag)=\(ClusterRoles.defaultBackend)); then the dashboard, joined to the cluster. `a` adds a web app. Quitting \
        stops every process the demo started. Needs serf, haproxy and node with express \
        (Debian: serf haproxy nodejs node-express).
        """)

    @Option(help: "How many web apps to start with.") var nodes = 3
    @Option(help: "How many balancer hosts (agent, haproxy, serftop balancer each), all serving the same web apps.")
    var balancers = 1
    @Flag(help: "No dashboard: print the endpoints as one JSON line and run until interrupted.") var headless = false
    @Option(help: ArgumentHelp("Where to keep configuration, sockets and logs (a new temporary directory by default).", valueName: "dir"))
    var dir: String?
    @Flag(help: "Keep that directory (logs included) when the demo ends.") var keep = false
    @Option(help: ArgumentHelp("Use Dockerfiles/ha/haproxy.cfg.mustache, Dockerfiles/webapp/app/ and themes/ from this directory instead of the copies built in (also $\(DemoAssets.variable)).", valueName: "dir"))
    var assets: String?
    @Option(help: "Theme name.", completion: .custom { _, _, _ in ConfigOptions.themeNames() }) var theme = "default"
    @Option(help: "Seconds between dashboard refreshes.") var refresh: Double = 1
    @Option(help: ArgumentHelp("Requests a second the demo sends through its site, keep-alive and with session cookies (0: none).",
                               valueName: "rate"))
    var traffic: Double = 20
    @Option(help: ArgumentHelp("Run a scripted scenario once the cluster is up: a shipped one by name (tour) or a YAML file.",
                               valueName: "name|file"))
    var scenario: String?
    @Flag(help: "Print the --scenario's YAML (a shipped one, to start your own from) and exit.") var showScenario = false
    @OptionGroup var snapshots: SnapshotDirectoryOptions

    func validate() throws {
        guard (0 ... 50).contains(nodes) else { throw ValidationError("--nodes takes 0 to 50") }
        guard (1 ... 3).contains(balancers) else { throw ValidationError("--balancers takes 1 to 3") }
        guard (0 ... 10_000).contains(traffic) else { throw ValidationError("--traffic takes 0 to 10000 requests a second") }
    }

    func run() async throws {
        // A scenario that cannot run stops the demo before anything starts.
        let script = try scenario.map { name throws(ScenarioError) in try DemoScenario.load(name) }
        if showScenario {
            guard let scenario else { throw ValidationError("--show-scenario needs --scenario NAME") }
            let text = try DemoTour.shipped[scenario] ?? String(contentsOfFile: scenario, encoding: .utf8)
            print(text, terminator: "")
            return
        }
        let directory = dir ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("serftop-demo-\(getpid())").path
        if FileManager.default.fileExists(atPath: "\(directory)/haproxy.cfg") {
            throw ValidationError("\(directory) already holds a demo; pass another --dir")
        }
        let assets = try DemoAssets.locate(override: self.assets, environment: ProcessInfo.processInfo.environment, directory: directory)
        // Stopping the children takes up to 3 s for the balancer, then 3 s for the rest.
        ExitGuard.grace = .seconds(10)
        let cluster = DemoCluster(directory: directory, assets: assets, balancers: balancers)
        let headless = self.headless
        let progress: @Sendable (String) -> Void = { line in
            FileHandle.standardError.write(Data("demo: \(line)\n".utf8))
        }
        do {
            try await cluster.start(nodes: nodes, progress: progress)
        } catch {
            await cluster.stop()
            throw CommandFailure("the demo did not start: \(error)\n(logs: \(directory)/logs)")
        }
        let traffic = DemoTraffic(site: await cluster.endpoints.site, rate: self.traffic)
        let (announcements, announce) = AsyncStream.makeStream(of: String.self)
        var endpointsLine: String?
        if headless {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            endpointsLine = String(decoding: try encoder.encode(await cluster.endpoints), as: UTF8.self)
        }
        // The traffic, the script and the readers are children of the demo:
        // when it ends (a signal, or the dashboard quits), they end with it.
        await withDiscardingTaskGroup { group in
            group.addTask { await traffic.run() }
            if let script {
                group.addTask { await ScenarioRunner(cluster: cluster, traffic: traffic) { announce.yield($0) }.run(script) }
            }
            if let endpointsLine {
                FileHandle.standardOutput.write(Data((endpointsLine + "\n").utf8))
                group.addTask { for await death in await cluster.deaths() { progress(death) } }
                // Each step on stdout as it runs, after the endpoints line.
                group.addTask {
                    for await line in announcements {
                        FileHandle.standardOutput.write(Data((line + "\n").utf8))
                    }
                }
                _ = await TerminationSignal.wait()
            } else {
                await dashboard(cluster, announcements: announcements, themes: assets.themes)
            }
            group.cancelAll()
        }
        progress("stopping everything the demo started")
        await cluster.stop()
        if !keep { try? FileManager.default.removeItem(atPath: directory) } else { progress("kept \(directory)") }
    }

    func dashboard(_ cluster: DemoCluster, announcements: AsyncStream<String>, themes: String) async {
        var member: SerfMember?
        do {
            var config = SerfMemberConfig(nodeName: "serftop-demo-\(getpid())", tags: [ClusterRoles.tag: ClusterRoles.observer])
            config.bindHost = "127.0.0.1"
            config.bindPort = 0
            config.seeds = [await cluster.gossipAddress]
            let m = try await SerfMember.start(config)
            _ = try await m.join([await cluster.gossipAddress])
            member = m
        } catch {
            FileHandle.standardError.write(Data("demo: cannot join the demo cluster: \(error)\n".utf8))
            return
        }
        var settings = DashboardRuntime.Settings()
        settings.refresh = .milliseconds(Int64(max(0.1, refresh) * 1000))
        settings.themeName = theme
        settings.snapshotDirectory = snapshots.directory
        settings.noColor = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        settings.routing.localProvisioning = true
        settings.actionKey = try? ActionKey(file: await cluster.actionKeyPath)
        settings.notices = merged(await cluster.deaths(), announcements)
        settings.provisioner = { name in
            do {
                let node = try await cluster.addNode(named: name)
                return .done("started \(node.name): web app on :\(node.appPort), its agent joins the cluster")
            } catch {
                return .refused("cannot start \(name): \(error)")
            }
        }
        await DashboardCommand.show(source: member, description: "gossip as \(await member?.name ?? "")",
                                    endpoints: [], settings: settings, readOnly: false, themeDirectories: [themes])
        FileHandle.standardError.write(Data("demo: leaving the cluster\n".utf8))
        try? await member?.close()
    }

    /// Both streams' lines, as they come.
    func merged(_ a: AsyncStream<String>, _ b: AsyncStream<String>) -> AsyncStream<String> {
        AsyncStream { continuation in
            let task = Task {
                await withDiscardingTaskGroup { group in
                    group.addTask { for await line in a { continuation.yield(line) } }
                    group.addTask { for await line in b { continuation.yield(line) } }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
