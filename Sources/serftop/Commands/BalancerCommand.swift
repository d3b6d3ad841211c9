import ArgumentParser
import Balancer
import BalancerContract
import Foundation
import HAProxy
import Logging
import NIOCore
import Serf

struct BalancerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "balancer",
        abstract: "Keep HAProxy's server list in step with the Serf membership.",
        discussion: """
        Reads the members from the local serf agent (RPC), renders the haproxy.cfg \
        template with every alive member tagged \(ClusterRoles.tag)=\(ClusterRoles.defaultBackend) (--backend-role), checks the result with \
        'haproxy -c' and swaps it in atomically. When only the servers changed, the running \
        HAProxy gets them through its runtime API (add server, del server) without a reload; \
        anything else, or a step HAProxy refuses, reloads through the master CLI. \
        Members that leave gracefully are drained first. Answers the queries \
        \(BalancerQuery.reload) and \(BalancerQuery.server) (\(ServerQuery.Verb.allCases.map(\.rawValue).joined(separator: "|")) NAME).
        """)

    @Option(help: ArgumentHelp("The local agent's RPC address.", valueName: "addr"))
    var rpc = "127.0.0.1:7373"
    @Option(name: .customLong("rpc-auth"), help: "The agent's RPC auth key, if it has one.")
    var rpcAuth: String?
    @Option(help: ArgumentHelp("The mustache template of haproxy.cfg.", valueName: "file"))
    var template = "/etc/haproxy/haproxy.cfg.mustache"
    @Option(help: ArgumentHelp("The configuration file HAProxy reads.", valueName: "file"))
    var config = "/etc/haproxy/haproxy.cfg"
    @Option(help: ArgumentHelp("The haproxy binary, for 'haproxy -c'.", valueName: "path"))
    var haproxy = "haproxy"
    @Option(name: .customLong("haproxy-master"), help: ArgumentHelp("The master CLI (haproxy -S): unix:/path or HOST:PORT.", valueName: "addr"))
    var master: String?
    @OptionGroup var runtimeAPI: RuntimeAPIOptions
    @Option(name: .customLong("state-file"), help: ArgumentHelp("Where to save server states before a reload (the template's server-state-file).", valueName: "file"))
    var stateFile: String?
    @Option(help: "The backend the servers go in.") var backend = BalancerBackend.defaultName.text
    @OptionGroup var backendRole: BackendRoleOptions
    @Option(name: .customLong("port-tag"), help: "The tag holding a member's service port.") var portTag = "port"
    @Option(name: .customLong("default-port"), help: "The port of members without that tag.") var defaultPort: UInt16 = 3000
    @Option(name: .customLong("set"), help: ArgumentHelp("A template value, KEY=VALUE (repeatable).", valueName: "key=value"))
    var values: [String] = []
    @Option(name: .customLong("quiet-ms"), help: "Apply once changes have been quiet this long.") var quietMs = 200
    @Option(name: .customLong("max-wait-ms"), help: "…but no later than this after the first change.") var maxWaitMs = 2000
    @Option(name: .customLong("calm-ms"), help: "After this long without a reload, apply an addition at once (0: always wait for the quiet period).")
    var calmMs = 2000
    @Option(name: .customLong("removal-quiet-ms"), help: "The quiet period when servers are only removed (they leave rotation at once).")
    var removalQuietMs = 2000
    @Option(name: .customLong("removal-max-wait-ms"), help: "…and its maximum wait.") var removalMaxWaitMs = 10000
    @Option(name: .customLong("poll-ms"), help: "How often to read the member list when no change was signalled.") var pollMs = 2000
    @Option(name: .customLong("drain-seconds"), help: "How long a leaving server may keep sessions.") var drainSeconds = 10
    @Option(name: .customLong("absence-grace-seconds"), help: "How long the agent must have been joined to others before a member missing from its list counts as gone.")
    var absenceGraceSeconds = 60
    @Option(name: .customLong("max-removed-share"), help: "Hold back a render that removes at least this share of the servers at once (1: only all of them).")
    var maxRemovedShare = 1.0
    @Option(name: .customLong("hold-release-seconds"), help: "Install a held-back render once the same view has held this long.")
    var holdReleaseSeconds = 30
    @OptionGroup var actionKey: ActionKeyOptions
    @Option(help: ArgumentHelp("Serve /metrics (Prometheus) and /healthz on HOST:PORT (port 0: any free one). Keep it on loopback or a monitoring network.", valueName: "host:port"))
    var metrics: String?
    @Flag(help: "Render, check and install once without reloading, then exit (before HAProxy starts).")
    var once = false

    static let defaultValues = [
        "site_bind": "*:80", "stats_bind": "*:1936",
        "admin_socket": "/run/haproxy/admin.sock", "admin_tcp": "127.0.0.1:9999",
        "state_file": "/var/lib/haproxy/server-state",
    ]

    func settings() throws -> BalancerSettings {
        var s = BalancerSettings(templatePath: template, configPath: config)
        s.haproxy = haproxy
        if let master {
            guard let a = HAProxyAddress(master) else { throw ValidationError("--haproxy-master: \(HAProxyError.badAddress(master))") }
            s.masterCLI = a
        }
        s.runtimeAPI = try runtimeAPI.address()
        do {
            s.backend = try HAProxyName(backend, .backend)
        } catch {
            throw ValidationError("--backend: \(error)")
        }
        s.selection = ServerSelection(roles: backendRole.roles, portTag: portTag, defaultPort: defaultPort)
        s.values = Self.defaultValues.merging(try parseKeyValues(values, flag: "--set", what: "template value")) { $1 }
        s.stateFile = stateFile ?? s.values["state_file"]
        s.values["state_file"] = s.stateFile
        s.quietPeriod = .milliseconds(quietMs)
        s.maxWait = .milliseconds(maxWaitMs)
        s.calmPeriod = calmMs > 0 ? .milliseconds(calmMs) : nil
        s.removalQuietPeriod = .milliseconds(removalQuietMs)
        s.removalMaxWait = .milliseconds(removalMaxWaitMs)
        s.pollInterval = .milliseconds(pollMs)
        s.drainTimeout = .seconds(drainSeconds)
        guard maxRemovedShare > 0 && maxRemovedShare <= 1 else {
            throw ValidationError("--max-removed-share takes a share between 0 (exclusive) and 1, not \(maxRemovedShare)")
        }
        s.absenceGrace = .seconds(absenceGraceSeconds)
        s.maxRemovedShare = maxRemovedShare
        s.holdRelease = .seconds(holdReleaseSeconds)
        s.actionKey = try actionKey.load()
        return s
    }

    func run() async throws {
        var logger = Logger(label: "serftop.balancer")
        logger.logLevel = .info
        let settings = try settings()
        let daemon = BalancerDaemon(settings: settings, logger: logger)
        let rpc = self.rpc, auth = rpcAuth
        if once {
            let members = (try? await SerfAgentClient.connect(rpc, authKey: auth, timeout: .seconds(2)).members()) ?? []
            let result = await daemon.installOnce(members: members)
            guard result.succeeded else { throw CommandFailure(result.description) }
            print(result)
            return
        }
        logger.info("balancer: \(settings.templatePath) → \(settings.configPath); backend \(settings.backend) ← members with \(ClusterRoles.tag)=\(settings.selection.roles.backend)")
        let server = try await metricsServer()
        if let server { logger.info("metrics on http://\(Self.hostPort(server.address))/metrics, health on /healthz") }
        try await TerminationSignal.run({
            await withDiscardingTaskGroup { group in
                if let server {
                    group.addTask { try? await server.run { await daemon.respond(to: $0) } }
                }
                await daemon.run { try await SerfAgentClient.connect(rpc, authKey: auth) }
                group.cancelAll()
            }
        }, cleanup: {})
    }

    func metricsServer() async throws -> MetricsServer? {
        guard let metrics else { return nil }
        guard let (host, port) = splitHostPort(metrics, defaultPort: -1), port >= 0, port <= 65535 else {
            throw ValidationError("--metrics takes HOST:PORT, not '\(metrics)'")
        }
        do {
            return try await MetricsServer.bind(host: host, port: port)
        } catch {
            throw CommandFailure("cannot serve metrics on \(metrics): \(error)")
        }
    }

    static func hostPort(_ address: SocketAddress) -> String {
        let ip = address.ipAddress ?? "?"
        return (ip.contains(":") ? "[\(ip)]" : ip) + ":\(address.port ?? 0)"
    }
}
