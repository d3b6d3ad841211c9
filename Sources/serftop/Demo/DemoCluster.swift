import BalancerContract
import Foundation
import HAProxy
import Serf

/// The system of the containers, on loopback: a balancer host (serf agent
/// tagged role=balancer, haproxy in master-worker mode, `serftop balancer`)
/// and web app hosts (Node.js app and serf agent tagged role=backend), all
/// on free ports. Everything it starts it stops.
actor DemoCluster {
    struct Endpoints: Codable, Sendable {
        var gossip: String
        var rpc: String
        var site: String
        var stats: String
        var runtimeAPI: String
        var masterCLI: String
        var template: String
        var config: String
        var directory: String
        var nodes: [String]
        /// The file holding the key that signs actions (`--action-key-file`).
        var actionKey: String
        /// Each balancer's Prometheus metrics and health check (`--metrics`).
        var metrics: [String]
        var health: [String]
    }

    let directory: String
    let assets: DemoAssets
    let serftop: String
    var ports = LoopbackPorts()
    let haGossip: UInt16, haRPC: UInt16, sitePort: UInt16, statsPort: UInt16, adminPort: UInt16, metricsPort: UInt16
    var children: [ChildProcess] = []
    /// Children stopped on purpose: their exit is no news.
    var stopping: Set<pid_t> = []
    var nodes: [DemoNode] = []
    var nodeCounter = 0

    init(directory: String, assets: DemoAssets) {
        self.directory = directory
        self.assets = assets
        serftop = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var p = LoopbackPorts()
        haGossip = p.next(); haRPC = p.next(); sitePort = p.next(); statsPort = p.next(); adminPort = p.next()
        metricsPort = p.next()
        ports = p
    }

    var templatePath: String { "\(directory)/haproxy.cfg.mustache" }
    var configPath: String { "\(directory)/haproxy.cfg" }
    var masterSocket: String { "\(directory)/master.sock" }
    var gossipAddress: String { "127.0.0.1:\(haGossip)" }
    var runtimeAPI: String { "tcp://127.0.0.1:\(adminPort)" }

    var endpoints: Endpoints {
        Endpoints(gossip: gossipAddress, rpc: "127.0.0.1:\(haRPC)", site: "http://127.0.0.1:\(sitePort)/",
                  stats: "http://127.0.0.1:\(statsPort)/", runtimeAPI: runtimeAPI, masterCLI: "unix:\(masterSocket)",
                  template: templatePath, config: configPath, directory: directory, nodes: nodes.map(\.name),
                  actionKey: actionKeyPath, metrics: ["http://127.0.0.1:\(metricsPort)/metrics"],
                  health: ["http://127.0.0.1:\(metricsPort)/healthz"])
    }

    func log(_ name: String) -> String { "\(directory)/logs/\(name).log" }

    var actionKeyPath: String { "\(directory)/action.key" }

    func spawn(_ name: String, _ executable: String, _ arguments: [String], env: [String: String] = [:]) throws -> ChildProcess {
        let child = try ChildProcess(name, executable: executable, arguments: arguments, environment: env, logPath: log(name))
        children.append(child)
        return child
    }

    // MARK: Starting

    func start(nodes count: Int, progress: @Sendable (String) -> Void) async throws {
        try FileManager.default.createDirectory(atPath: "\(directory)/logs", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: assets.template, toPath: templatePath)
        // Its own key, so that the demo's dashboard, and commands given the
        // file, may act and nobody else may.
        guard FileManager.default.createFile(atPath: actionKeyPath, contents: Data(ActionKey.generate().utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw DemoError("cannot write \(actionKeyPath)")
        }

        progress("serf agent for the balancer on \(gossipAddress)")
        let agent = try spawn("ha-serf", "serf", ["agent", "-node=ha", "-bind=\(gossipAddress)", "-rpc-addr=127.0.0.1:\(haRPC)",
                                                   "-tag", "\(ClusterRoles.tag)=\(ClusterRoles.defaultBalancer)", "-tag", "stats=http://127.0.0.1:\(statsPort)/",
                                                   "-log-level=warn"])
        try await waitFor("the balancer's serf agent", agent, timeout: .seconds(10)) {
            (try? await SerfAgentClient.connect("127.0.0.1:\(self.haRPC)", timeout: .seconds(1)).close()) != nil
        }

        progress("haproxy (master-worker): site :\(sitePort), stats :\(statsPort)")
        let once = try spawn("balancer-once", serftop, ["balancer", "--once"] + balancerArguments)
        await once.waitForExit(timeout: .seconds(20))
        guard once.exitCode == 0 else { throw DemoError("the first configuration was not installed:\n\(once.logTail())") }
        let haproxy = try spawn("haproxy", "haproxy", ["-W", "-db", "-S", masterSocket, "-f", configPath])
        try await waitFor("haproxy's master CLI", haproxy, timeout: .seconds(10)) {
            (try? await MasterCLI(address: .unix(path: self.masterSocket)).processes()) != nil
        }

        progress("serftop balancer")
        _ = try spawn("balancer", serftop, ["balancer"] + balancerArguments)

        for _ in 0 ..< count { _ = try await addNode() }
        progress("waiting for \(count) web app(s) to serve through haproxy")
        try await waitForServers(count: count, timeout: .seconds(30))
    }

    var balancerArguments: [String] {
        ["--rpc", "127.0.0.1:\(haRPC)", "--template", templatePath, "--config", configPath,
         "--haproxy-master", "unix:\(masterSocket)", "--runtime-api", runtimeAPI,
         "--state-file", "\(directory)/server-state", "--drain-seconds", "5", "--action-key-file", actionKeyPath,
         "--metrics", "127.0.0.1:\(metricsPort)",
         "--set", "site_bind=127.0.0.1:\(sitePort)", "--set", "stats_bind=127.0.0.1:\(statsPort)",
         "--set", "admin_socket=\(directory)/admin.sock", "--set", "admin_tcp=127.0.0.1:\(adminPort)"]
    }

    // MARK: Nodes

    func nextName() -> String {
        nodeCounter += 1
        while nodes.contains(where: { $0.name == "web\(nodeCounter)" }) { nodeCounter += 1 }
        return "web\(nodeCounter)"
    }

    /// Starts a web app and its agent; the agent keeps retrying its join, as
    /// in the containers, so the order of starts does not matter.
    func addNode(named wanted: String? = nil) async throws -> DemoNode {
        // The name becomes a server, process and log file names: refused
        // unless HAProxy would take it, which also keeps it inside logs/.
        let name = try wanted.map { try HAProxyName.server(forMember: $0).get().text } ?? nextName()
        guard !nodes.contains(where: { $0.name == name }) else { throw DemoError("there is already a node named \(name)") }
        let appPort = ports.next(), gossip = ports.next(), rpc = ports.next()
        let app = try spawn("\(name)-app", "node", [assets.webApp],
                            env: ["PORT": "\(appPort)", "BIND": "127.0.0.1", "NODE_NAME": name, "ADVERTISE_IP": "127.0.0.1",
                                  "TAG": "demo", "NODE_PATH": "/usr/share/nodejs"])
        let agent = try spawn("\(name)-serf", "serf", ["agent", "-node=\(name)", "-bind=127.0.0.1:\(gossip)",
                                                       "-rpc-addr=127.0.0.1:\(rpc)", "-tag", "\(ClusterRoles.tag)=\(ClusterRoles.defaultBackend)",
                                                       "-tag", "port=\(appPort)", "-retry-join=\(gossipAddress)",
                                                       "-retry-interval=1s", "-log-level=warn"])
        let node = DemoNode(name: name, appPort: appPort, gossipPort: gossip, rpcPort: rpc, app: app, agent: agent)
        nodes.append(node)
        return node
    }

    /// Graceful: the agent leaves (SIGINT makes serf leave), the balancer
    /// drains and removes the server, and only then the app stops.
    func removeNode(_ name: String) async throws {
        guard let i = nodes.firstIndex(where: { $0.name == name }) else { throw DemoError("no demo node named \(name)") }
        let node = nodes.remove(at: i)
        stopping.formUnion([node.agent.pid, node.app.pid])
        await node.agent.stop(signal: SIGINT, timeout: .seconds(10))
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, (try? await serverNames().contains(name)) ?? false {
            try? await Task.sleep(for: .milliseconds(100))
        }
        await node.app.stop()
    }

    /// A crash: the app and its agent are SIGKILLed, so the cluster finds
    /// the node failed by gossip, as it would a dead host.
    func killNode(_ name: String) async throws -> DemoNode {
        guard let i = nodes.firstIndex(where: { $0.name == name }) else { throw DemoError("no demo node named \(name)") }
        let node = nodes.remove(at: i)
        stopping.formUnion([node.agent.pid, node.app.pid])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await node.agent.stop(signal: SIGKILL, timeout: .seconds(2)) }
            group.addTask { await node.app.stop(signal: SIGKILL, timeout: .seconds(2)) }
        }
        return node
    }

    func node(named name: String) -> DemoNode? { nodes.first { $0.name == name } }

    func serverNames() async throws -> Set<String> {
        let stats = try await RuntimeAPI(address: HAProxyAddress(runtimeAPI)!).stats()
        return Set(stats.servers.filter { $0.proxy == BalancerBackend.defaultName.text }.map(\.service))
    }

    func waitForServers(count: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let stats = try? await RuntimeAPI(address: HAProxyAddress(runtimeAPI)!).stats()
            let up = stats?.servers.filter { $0.proxy == BalancerBackend.defaultName.text && ($0.status?.takesTraffic ?? false) }.count ?? 0
            if up >= count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DemoError("\(count) web app(s) did not come up behind haproxy within \(timeout); logs in \(directory)/logs")
    }

    func waitFor(_ what: String, _ child: ChildProcess, timeout: Duration,
                 _ ready: @Sendable () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard child.isRunning else { throw DemoError("\(what) exited:\n\(child.logTail())") }
            if await ready() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DemoError("\(what) did not answer within \(timeout):\n\(child.logTail())")
    }

    // MARK: Watching

    /// Children that died without being asked, reaped as they go: one line
    /// each, saying which and where its log is.
    func deaths() -> AsyncStream<String> {
        AsyncStream { continuation in
            let task = Task {
                var reported: Set<pid_t> = []
                while !Task.isCancelled {
                    for child in self.children where !reported.contains(child.pid) && !self.stopping.contains(child.pid) {
                        guard let code = child.exitCode, child.name != "balancer-once" else { continue }
                        reported.insert(child.pid)
                        continuation.yield("\(child.name) (pid \(child.pid)) exited with status \(code); its log: \(child.logPath)")
                    }
                    try? await Task.sleep(for: .milliseconds(500))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    // MARK: Stopping

    /// Stops everything, the balancer first so that it does not chase the
    /// shutdown with reloads.
    func stop() async {
        let all = children.reversed()
        stopping.formUnion(all.map(\.pid))
        if let balancer = all.first(where: { $0.name == "balancer" }) { await balancer.stop(timeout: .seconds(3)) }
        await withTaskGroup(of: Void.self) { group in
            for child in all { group.addTask { await child.stop(timeout: .seconds(3)) } }
        }
        children.removeAll()
        nodes.removeAll()
    }
}
