import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `serf agent` (Debian's 0.9.4) on 127.0.0.1 with private ports, or
/// inside a network namespace on that namespace's own address (`Options.placement`).
public final class SerfAgent: @unchecked Sendable {
    public let name: String
    public let host: String
    public let bindPort: UInt16
    public let rpcPort: UInt16
    public let daemon: Daemon
    public let directory: URL
    /// The namespace the agent runs in; its RPC address only answers there.
    public let namespace: String?
    /// What the agent tells others (`-advertise`), when not its bind address.
    public let advertise: String?

    public var gossipAddress: String { "\(host):\(bindPort)" }
    /// Where others reach it: through its relay when it advertises one.
    public var reachableAddress: String { advertise ?? gossipAddress }
    public var rpcAddress: String { "127.0.0.1:\(rpcPort)" }

    /// An agent inside a network namespace: `ip netns exec` runs serf there
    /// itself (exec, so the PID is serf's), its RPC listens on the namespace's
    /// loopback, and its commands are run there too.
    public struct Placement: Sendable {
        public var namespace: String
        public var address: String
        public var bindPort: UInt16
        public var rpcPort: UInt16
        public init(namespace: String, address: String, bindPort: UInt16 = 7946, rpcPort: UInt16 = 7373) {
            self.namespace = namespace
            self.address = address
            self.bindPort = bindPort
            self.rpcPort = rpcPort
        }
    }

    public struct Options: Sendable {
        public var tags: [String: String] = [:]
        public var join: [String] = []
        public var encryptKey: String?
        public var enableCompression = false
        public var leaveOnTerminate = false
        /// Scripts run for events: `event-filter=script` as `serf agent -event-handler` takes.
        public var eventHandlers: [String] = []
        public var rpcAuth: String?
        public var profile: String?
        public var placement: Placement?
        /// `-advertise=ADDR:PORT`, e.g. a relay in front of the agent.
        public var advertise: String?
        public var logLevel = "debug"
        public init() {}
    }

    public init(_ name: String, _ options: Options = Options()) throws {
        self.name = name
        host = options.placement?.address ?? "127.0.0.1"
        bindPort = options.placement?.bindPort ?? FreePort.next()
        rpcPort = options.placement?.rpcPort ?? FreePort.next()
        namespace = options.placement?.namespace
        advertise = options.advertise
        directory = TemporaryDirectory.shared.make("serf-\(name)")
        var config: [String: Any] = [:]
        if options.enableCompression { config["enable_compression"] = true }
        if options.leaveOnTerminate { config["leave_on_terminate"] = true }
        if let auth = options.rpcAuth { config["rpc_auth"] = auth }
        var args = ["agent", "-node=\(name)", "-bind=\(host):\(bindPort)", "-rpc-addr=127.0.0.1:\(rpcPort)",
                    "-log-level=\(options.logLevel)"]
        if let advertise = options.advertise { args.append("-advertise=\(advertise)") }
        if !config.isEmpty {
            let file = directory.appendingPathComponent("config.json")
            try JSONSerialization.data(withJSONObject: config).write(to: file)
            args.append("-config-file=\(file.path)")
        }
        for (k, v) in options.tags.sorted(by: { $0.key < $1.key }) { args.append("-tag=\(k)=\(v)") }
        for j in options.join { args.append("-join=\(j)") }
        if let key = options.encryptKey { args.append("-encrypt=\(key)") }
        for h in options.eventHandlers { args.append("-event-handler=\(h)") }
        if let p = options.profile { args.append("-profile=\(p)") }
        if let namespace {
            daemon = try Daemon("serf-\(name)", executable: "ip",
                                arguments: ["netns", "exec", namespace, try Tools.path(of: "serf")] + args)
        } else {
            daemon = try Daemon("serf-\(name)", executable: "serf", arguments: args)
        }
    }

    /// Runs the serf CLI where the agent's RPC answers.
    func runSerf(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        guard let namespace else { return try await Tools.run("serf", arguments) }
        return try await Tools.run("ip", ["netns", "exec", namespace, try Tools.path(of: "serf")] + arguments)
    }

    /// Waits until the agent answers on its RPC port.
    public func waitUntilReady(timeout: Double = 20) async throws {
        try await eventually("serf agent \(name) to answer RPC", timeout: timeout) {
            guard daemon.isRunning else { throw AgentDied(name: name, log: daemon.log) }
            return (try? await runSerf(["members", "-rpc-addr=\(rpcAddress)"]).status) == 0
        }
    }

    /// `serf members -format json` as this agent sees it: name → (status, tags).
    public func members() async throws -> [String: (status: String, tags: [String: String])] {
        let result = try await runSerf(["members", "-rpc-addr=\(rpcAddress)", "-format=json"])
        guard result.status == 0, let data = result.output.data(using: .utf8),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = json["members"] as? [[String: Any]] else {
            throw AgentDied(name: name, log: result.output)
        }
        var out: [String: (String, [String: String])] = [:]
        for m in list {
            guard let n = m["name"] as? String else { continue }
            out[n] = ((m["status"] as? String) ?? "", (m["tags"] as? [String: String]) ?? [:])
        }
        return out
    }

    public func status(of member: String) async -> String? { (try? await members())?[member]?.status }

    /// Runs `serf <command> -rpc-addr=…` with more arguments.
    @discardableResult
    public func serf(_ command: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await runSerf([command, "-rpc-addr=\(rpcAddress)"] + arguments)
    }

    /// Graceful leave, as Ctrl-C does.
    public func leave() { daemon.stop(signal: SIGINT, timeout: 10) }
    public func crash() { daemon.crash() }

    deinit { daemon.stop(signal: SIGKILL, timeout: 1) }

    public struct AgentDied: Error, CustomStringConvertible {
        public let name: String
        public let log: String
        public var description: String { "serf agent \(name) is not answering:\n\(log.suffix(2000))" }
    }

    /// Starts `count` agents, the first alone and the others joined to it.
    public static func cluster(_ count: Int, prefix: String = "agent", _ options: (Int) -> Options = { _ in Options() })
        async throws -> [SerfAgent]
    {
        var agents: [SerfAgent] = []
        for i in 0 ..< count {
            var o = options(i)
            if i > 0 { o.join.append(agents[0].reachableAddress) }
            let agent = try SerfAgent("\(prefix)\(i)", o)
            try await agent.waitUntilReady()
            agents.append(agent)
        }
        return agents
    }

    /// A key for `-encrypt`: `count` random bytes, base64.
    public static func makeKey(bytes count: Int = 16) -> String {
        Data((0 ..< count).map { _ in UInt8.random(in: 0 ... 255) }).base64EncodedString()
    }
}
