import Foundation

/// A real haproxy 2.6 in master-worker mode on 127.0.0.1 with private ports:
/// a stats page, the runtime API (TCP and unix socket), a master CLI socket,
/// and one frontend in front of backend `nodes`.
public final class HAProxyInstance: @unchecked Sendable {
    public struct Server: Sendable {
        public var name: String
        public var port: UInt16
        public var check: Bool
        public init(_ name: String, port: UInt16, check: Bool = true) { self.name = name; self.port = port; self.check = check }
    }

    public struct Options: Sendable {
        /// `stats admin if TRUE` (with auth when given), else a read-only page.
        public var statsAdmin = true
        public var statsAuth: (user: String, password: String)? = ("admin", "secret")
        public var servers: [Server] = []
        public init() {}
    }

    public let directory: URL
    public let statsPort = FreePort.next()
    public let adminPort = FreePort.next()
    public let frontendPort = FreePort.next()
    public private(set) var options: Options
    public let daemon: Daemon

    public var configPath: String { directory.appendingPathComponent("haproxy.cfg").path }
    public var adminSocket: String { directory.appendingPathComponent("admin.sock").path }
    public var masterSocket: String { directory.appendingPathComponent("master.sock").path }
    public var adminAddress: String { "tcp://127.0.0.1:\(adminPort)" }
    /// The stats page URL, with credentials when the page has them.
    public var statsURL: String {
        if let auth = options.statsAuth { return "http://\(auth.user):\(auth.password)@127.0.0.1:\(statsPort)/" }
        return "http://127.0.0.1:\(statsPort)/"
    }
    public var siteURL: String { "http://127.0.0.1:\(frontendPort)/" }

    public init(_ options: Options = Options()) throws {
        self.options = options
        directory = TemporaryDirectory.shared.make("haproxy")
        try Self.config(options, stats: statsPort, admin: adminPort, frontend: frontendPort, dir: directory)
            .write(toFile: directory.appendingPathComponent("haproxy.cfg").path, atomically: true, encoding: .utf8)
        daemon = try Daemon("haproxy", executable: "haproxy",
                            arguments: ["-W", "-db", "-S", directory.appendingPathComponent("master.sock").path,
                                        "-f", directory.appendingPathComponent("haproxy.cfg").path])
    }

    /// Waits until the stats page answers.
    public func waitUntilReady() async throws {
        try await eventually("haproxy to serve its stats page", timeout: 10) {
            guard daemon.isRunning else { throw Failed(log: daemon.log) }
            return (try? await Tools.run("curl", ["-sf", "-o", "/dev/null", statsURL + ";csv"]).status) == 0
        }
    }

    /// Rewrites the configuration (to be picked up by a reload).
    public func rewrite(servers: [Server]? = nil, appending extra: String = "") throws {
        if let servers { options.servers = servers }
        try (Self.config(options, stats: statsPort, admin: adminPort, frontend: frontendPort, dir: directory) + extra)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    public struct Failed: Error, CustomStringConvertible {
        public let log: String
        public var description: String { "haproxy did not start:\n\(log.suffix(2000))" }
    }

    static func config(_ o: Options, stats: UInt16, admin: UInt16, frontend: UInt16, dir: URL) -> String {
        // On reload the old worker must drop idle stats connections at once;
        // otherwise it answers one more scrape with the old configuration.
        var statsLines = ["    no option idle-close-on-response", "    stats enable", "    stats uri /", "    stats refresh 5s"]
        if let auth = o.statsAuth { statsLines.append("    stats auth \(auth.user):\(auth.password)") }
        if o.statsAdmin { statsLines.append("    stats admin if TRUE") }
        let servers = o.servers.map { s in
            "    server \(s.name) 127.0.0.1:\(s.port)" + (s.check ? " check inter 500ms fall 2 rise 1" : "")
        }
        return """
        global
            stats socket \(dir.path)/admin.sock mode 600 level admin
            stats socket ipv4@127.0.0.1:\(admin) level admin
            stats timeout 30s
        defaults
            mode http
            timeout connect 2s
            timeout client 30s
            timeout server 30s
            option idle-close-on-response
        listen stats
            bind 127.0.0.1:\(stats)
        \(statsLines.joined(separator: "\n"))
        frontend site
            bind 127.0.0.1:\(frontend)
            default_backend nodes
        backend nodes
            balance roundrobin
            option httpchk GET /
        \(servers.joined(separator: "\n"))

        """
    }

    deinit { daemon.stop(signal: SIGTERM, timeout: 3) }
}

/// A real HTTP server to put behind haproxy (Python's, it answers GET / with 200).
public final class HTTPBackend: @unchecked Sendable {
    public let port = FreePort.next()
    public let daemon: Daemon

    public init() throws {
        let dir = TemporaryDirectory.shared.make("www")
        try "ok\n".write(to: dir.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        daemon = try Daemon("http-backend", executable: "python3",
                            arguments: ["-m", "http.server", "--bind", "127.0.0.1", "\(port)"], directory: dir)
    }

    public func waitUntilReady() async throws {
        try await eventually("the HTTP backend on \(port)") {
            (try? await Tools.run("curl", ["-sf", "-o", "/dev/null", "http://127.0.0.1:\(port)/"]).status) == 0
        }
    }
}
