import BalancerContract
import Foundation
import HAProxy
import Serf

/// The system of the containers, on loopback: one or more balancer hosts
/// (serf agent tagged role=balancer, haproxy in master-worker mode, `serftop
/// balancer`) and web app hosts (Node.js app and serf agent tagged
/// role=backend), all on free ports. Everything it starts it stops.
actor DemoCluster {
    struct Endpoints: Codable, Sendable {
        // The first balancer's, as before there could be more.
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
        var balancers: [BalancerEndpoints]
    }

    struct BalancerEndpoints: Codable, Sendable {
        var name: String
        var gossip: String
        var rpc: String
        var site: String
        var stats: String
        var runtimeAPI: String
        var masterCLI: String
        var config: String
        var metrics: String
        var health: String
    }

    /// One balancer host: its agent, haproxy and `serftop balancer`, on
    /// ports of its own, all rendering one template from one membership.
    struct BalancerHost: Sendable {
        var name: String
        var directory: String
        var gossip: UInt16, rpc: UInt16, site: UInt16, stats: UInt16, admin: UInt16, metrics: UInt16

        var gossipAddress: String { "127.0.0.1:\(gossip)" }
        var configPath: String { "\(directory)/haproxy.cfg" }
        var masterSocket: String { "\(directory)/master.sock" }
        var runtimeAPI: String { "tcp://127.0.0.1:\(admin)" }
        /// Its children's names: the first host's are the plain ones.
        func child(_ what: String) -> String { name == "ha" ? what : "\(name)-\(what)" }

        var endpoints: BalancerEndpoints {
            BalancerEndpoints(name: name, gossip: gossipAddress, rpc: "127.0.0.1:\(rpc)", site: "http://127.0.0.1:\(site)/",
                              stats: "http://127.0.0.1:\(stats)/", runtimeAPI: runtimeAPI, masterCLI: "unix:\(masterSocket)",
                              config: configPath, metrics: "http://127.0.0.1:\(metrics)/metrics",
                              health: "http://127.0.0.1:\(metrics)/healthz")
        }
    }

    let directory: String
    let assets: DemoAssets
    let serftop: String
    var ports = LoopbackPorts()
    let balancers: [BalancerHost]
    var children: [ChildProcess] = []
    /// Children stopped on purpose: their exit is no news.
    var stopping: Set<pid_t> = []
    var nodes: [DemoNode] = []
    var nodeCounter = 0

    init(directory: String, assets: DemoAssets, balancers count: Int = 1) {
        self.directory = directory
        self.assets = assets
        serftop = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var p = LoopbackPorts()
        // The first host keeps the demo's own directory, so that its files
        // are where they always were.
        balancers = (1 ... max(1, count)).map { i in
            BalancerHost(name: i == 1 ? "ha" : "ha\(i)", directory: i == 1 ? directory : "\(directory)/ha\(i)",
                         gossip: p.next(), rpc: p.next(), site: p.next(), stats: p.next(), admin: p.next(), metrics: p.next())
        }
        ports = p
    }

    var first: BalancerHost { balancers[0] }
    var templatePath: String { "\(directory)/haproxy.cfg.mustache" }
    var configPath: String { first.configPath }
    var masterSocket: String { first.masterSocket }
    var gossipAddress: String { first.gossipAddress }
    var runtimeAPI: String { first.runtimeAPI }

    var endpoints: Endpoints {
        let b = first.endpoints
        return Endpoints(gossip: b.gossip, rpc: b.rpc, site: b.site, stats: b.stats, runtimeAPI: b.runtimeAPI,
                         masterCLI: b.masterCLI, template: templatePath, config: b.config, directory: directory,
                         nodes: nodes.map(\.name), actionKey: actionKeyPath, metrics: balancers.map(\.endpoints.metrics),
                         health: balancers.map(\.endpoints.health), balancers: balancers.map(\.endpoints))
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
        for host in balancers { try await start(host, progress: progress) }
        for _ in 0 ..< count { _ = try await addNode() }
        progress("waiting for \(count) web app(s) to serve through haproxy")
        try await waitForServers(count: count, timeout: .seconds(30))
    }

    func start(_ host: BalancerHost, progress: @Sendable (String) -> Void) async throws {
        try FileManager.default.createDirectory(atPath: host.directory, withIntermediateDirectories: true)
        progress("serf agent for balancer \(host.name) on \(host.gossipAddress)")
        // Each joins the others already started; none depends on another
        // being up (serf retries), as in the containers.
        let joins = balancers.prefix { $0.name != host.name }.map { "-retry-join=\($0.gossipAddress)" }
        let agent = try spawn("\(host.name)-serf", "serf",
                              ["agent", "-node=\(host.name)", "-bind=\(host.gossipAddress)", "-rpc-addr=127.0.0.1:\(host.rpc)",
                               "-tag", "\(ClusterRoles.tag)=\(ClusterRoles.defaultBalancer)", "-tag", "stats=http://127.0.0.1:\(host.stats)/",
                               "-retry-interval=1s", "-log-level=warn"] + joins)
        try await waitFor("\(host.name)'s serf agent", agent, timeout: .seconds(10)) {
            (try? await SerfAgentClient.connect("127.0.0.1:\(host.rpc)", timeout: .seconds(1)).close()) != nil
        }

        progress("haproxy on \(host.name) (master-worker): site :\(host.site), stats :\(host.stats)")
        let once = try spawn(host.child("balancer-once"), serftop, ["balancer", "--once"] + balancerArguments(host))
        await once.waitForExit(timeout: .seconds(20))
        guard once.exitCode == 0 else { throw DemoError("the first configuration was not installed:\n\(once.logTail())") }
        let haproxy = try spawn(host.child("haproxy"), "haproxy", ["-W", "-db", "-S", host.masterSocket, "-f", host.configPath])
        try await waitFor("\(host.name)'s haproxy master CLI", haproxy, timeout: .seconds(10)) {
            (try? await MasterCLI(address: .unix(path: host.masterSocket)).processes()) != nil
        }

        progress("serftop balancer on \(host.name)")
        _ = try spawn(host.child("balancer"), serftop, ["balancer"] + balancerArguments(host))
    }

    func balancerArguments(_ host: BalancerHost) -> [String] {
        ["--rpc", "127.0.0.1:\(host.rpc)", "--template", templatePath, "--config", host.configPath,
         "--haproxy-master", "unix:\(host.masterSocket)", "--runtime-api", host.runtimeAPI,
         "--state-file", "\(host.directory)/server-state", "--drain-seconds", "5", "--action-key-file", actionKeyPath,
         "--metrics", "127.0.0.1:\(host.metrics)",
         "--set", "site_bind=127.0.0.1:\(host.site)", "--set", "stats_bind=127.0.0.1:\(host.stats)",
         "--set", "admin_socket=\(host.directory)/admin.sock", "--set", "admin_tcp=127.0.0.1:\(host.admin)"]
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
                                                       "-tag", "port=\(appPort)", "-retry-interval=1s", "-log-level=warn"]
                                                       + balancers.map { "-retry-join=\($0.gossipAddress)" })
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
        // Waited for only while the demo runs: once it ends, everything stops anyway.
        while ContinuousClock.now < deadline, !Task.isCancelled, (try? await serverNames().contains(name)) ?? false {
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

    /// The servers every balancer's HAProxy has (a server counts while any has it).
    func serverNames() async throws -> Set<String> {
        var names: Set<String> = []
        for host in balancers {
            let stats = try await RuntimeAPI(address: HAProxyAddress(host.runtimeAPI)!).stats()
            names.formUnion(stats.servers.filter { $0.proxy == BalancerBackend.defaultName.text }.map(\.service))
        }
        return names
    }

    /// Until every balancer has `count` servers taking traffic.
    func waitForServers(count: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var ready = true
            for host in balancers {
                let stats = try? await RuntimeAPI(address: HAProxyAddress(host.runtimeAPI)!).stats()
                let up = stats?.servers.filter { $0.proxy == BalancerBackend.defaultName.text && ($0.status?.takesTraffic ?? false) }.count ?? 0
                ready = ready && up >= count
            }
            if ready { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DemoError("\(count) web app(s) did not come up behind every haproxy within \(timeout); logs in \(directory)/logs")
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
                        guard let code = child.exitCode, !child.name.hasSuffix("balancer-once") else { continue }
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
        await withTaskGroup(of: Void.self) { group in
            for b in all where balancers.contains(where: { $0.child("balancer") == b.name }) {
                group.addTask { await b.stop(timeout: .seconds(3)) }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for child in all { group.addTask { await child.stop(timeout: .seconds(3)) } }
        }
        children.removeAll()
        nodes.removeAll()
    }
}
