import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `serftop demo --headless`: the whole system on loopback (serf agents,
/// haproxy master-worker, `serftop balancer`, Node.js web apps), read from
/// the JSON line it prints once it is up.
public final class DemoInstance: @unchecked Sendable {
    public struct Endpoints: Decodable, Sendable {
        public var gossip: String
        public var rpc: String
        public var site: String
        public var stats: String
        public var runtimeApi: String
        public var masterCli: String
        public var template: String
        public var config: String
        public var directory: String
        public var nodes: [String]
        public var actionKey: String
        public var metrics: [String]
        public var health: [String]
        public var balancers: [Balancer]
    }

    public struct Balancer: Decodable, Sendable {
        public var name: String
        public var gossip: String
        public var rpc: String
        public var site: String
        public var stats: String
        public var runtimeApi: String
        public var masterCli: String
        public var config: String
        public var metrics: String
        public var health: String
    }

    public let daemon: Daemon
    public let endpoints: Endpoints

    /// `executable`: another copy of serftop than the built one; `directory`:
    /// where it runs (the test's own directory by default).
    public init(nodes: Int, extra: [String] = [], executable: String? = nil, directory: URL? = nil) async throws {
        // No traffic unless a test asks for it: request counts and drains
        // then depend on the test alone.
        let traffic = extra.contains("--traffic") ? [] : ["--traffic", "0"]
        daemon = try Daemon("demo", executable: try executable ?? SerftopBinary.path(),
                            arguments: ["demo", "--headless", "--nodes", "\(nodes)"] + traffic + extra, directory: directory)
        let daemon = self.daemon
        let line = try await eventuallyValue("the demo to print its endpoints", timeout: 90, every: 0.1) { () -> String? in
            guard daemon.isRunning else { throw Failed(log: daemon.log) }
            return daemon.log.split(separator: "\n").first { $0.hasPrefix("{") }.map(String.init)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        endpoints = try decoder.decode(Endpoints.self, from: Data(line.utf8))
    }

    public struct Failed: Error, CustomStringConvertible {
        public let log: String
        public var description: String { "the demo did not start:\n\(log.suffix(3000))" }
    }

    /// The runtime API as HOST:PORT.
    public var runtimeAPI: String { String(endpoints.runtimeApi.dropFirst("tcp://".count)) }
    public var masterSocket: String { String(endpoints.masterCli.dropFirst("unix:".count)) }

    /// The `server` names in the installed haproxy.cfg.
    public func configuredServers() throws -> [String] {
        try String(contentsOfFile: endpoints.config, encoding: .utf8).split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            return words.first == "server" && words.count > 1 ? String(words[1]) : nil
        }
    }

    /// Asks the site (or another balancer's, `site`) once on a fresh
    /// connection; the JSON `host` that answered.
    public func siteHost(_ site: String? = nil) async -> String? {
        guard let r = try? await Tools.run("curl", ["-s", "--max-time", "2", site ?? endpoints.site]), r.status == 0,
              let json = try? JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any] else { return nil }
        return json["host"] as? String
    }

    /// Whether `server` answers through the site: asks once per configured
    /// server and one more, so that round-robin reaches it if HAProxy has it.
    /// (Its cookie is derived from its address, so no request can ask for it
    /// by name.)
    public func serves(_ server: String) async -> Bool {
        let rounds = ((try? configuredServers().count) ?? 0) + 1
        for _ in 0 ..< rounds where await siteHost() == server { return true }
        return false
    }

    /// One series of the balancer's /metrics, e.g.
    /// `serftop_balancer_runtime_changes_total{change="add"}`.
    public func metric(_ series: String) async -> Double? {
        guard let r = try? await Tools.run("curl", ["-s", "--max-time", "2", endpoints.metrics[0]]), r.status == 0 else { return nil }
        for line in r.output.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// Sends a query through a native serftop member; its printed output.
    /// `serftop query` signed with the demo's action key, or unsigned.
    public func query(_ name: String, _ payload: String? = nil, signed: Bool = true, keyFile: String? = nil,
                      timeout: String = "3s") async throws -> String {
        let key = keyFile ?? (signed ? endpoints.actionKey : nil)
        let args = ["query", name] + (payload.map { [$0] } ?? []) +
            ["--join", endpoints.gossip, "--bind", "127.0.0.1:0", "--tag", "role=^balancer$", "--timeout", timeout] +
            (key.map { ["--action-key-file", $0] } ?? [])
        return try await SerftopBinary.run(args).output
    }

    /// The direct children of the demo process, to check none is left behind.
    public func childPIDs() async throws -> [Int32] {
        try await Tools.run("pgrep", ["-P", "\(daemon.pid)"]).output.split(separator: "\n").compactMap { Int32($0) }
    }

    public func stop() { daemon.stop(signal: SIGTERM, timeout: 30) }

    deinit { stop() }
}

/// A web app host the test owns: the demo's Node.js app and a serf agent
/// tagged role=backend with the app's port, joined to `join`.
public final class WebApp: @unchecked Sendable {
    public static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Dockerfiles/webapp/app/server.js").path

    public let name: String
    public let port = FreePort.next()
    public let app: Daemon
    public private(set) var agent: SerfAgent?

    public init(_ name: String) throws {
        self.name = name
        app = try Daemon("\(name)-app", executable: "node", arguments: [Self.script],
                         environment: ["PORT": "\(port)", "BIND": "127.0.0.1", "NODE_NAME": name,
                                       "NODE_PATH": "/usr/share/nodejs", "ADVERTISE_IP": "127.0.0.1"])
    }

    public func waitUntilServing() async throws {
        try await eventually("\(name)'s web app on \(port)") {
            guard app.isRunning else { throw Daemon.Exited(name: name, log: app.log) }
            return (try? await Tools.run("curl", ["-sf", "-o", "/dev/null", "http://127.0.0.1:\(port)/healthz"]).status) == 0
        }
    }

    /// Starts the agent: from here the node is joining.
    public func join(_ gossip: String) throws {
        var options = SerfAgent.Options()
        options.tags = ["role": "backend", "port": "\(port)"]
        options.join = [gossip]
        agent = try SerfAgent(name, options)
    }

    /// Graceful: the agent leaves first; the app stops once the caller says.
    public func leave() { agent?.leave() }
    public func crash() { agent?.crash(); app.crash() }
    public func stop() { agent?.leave(); app.stop() }
}

extension Daemon {
    public struct Exited: Error, CustomStringConvertible {
        public let name: String
        public let log: String
        public var description: String { "\(name) exited:\n\(log.suffix(2000))" }
    }
}
