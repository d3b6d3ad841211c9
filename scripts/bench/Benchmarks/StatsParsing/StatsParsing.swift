import Benchmark
import Foundation
import Synchronization
import HAProxy

/// Parsing the stats CSV of 1,000 and 10,000 servers, beside fetching the
/// same page over HTTP from a real haproxy, in one run: the ratio says
/// whether parsing matters next to the fetch.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .throughput],
                                           maxDuration: .seconds(5), maxIterations: 200)
    for servers in [1_000, 10_000] {
        Benchmark("fetch \(servers) servers (HTTP ;csv)") { benchmark, haproxy in
            for _ in benchmark.scaledIterations { blackHole(try await haproxy.fetch()) }
        } setup: {
            try await LiveHAProxy.started(servers: servers)
        }
        Benchmark("parse \(servers) servers") { benchmark, page in
            for _ in benchmark.scaledIterations { blackHole(try StatsCSVParser.parse(page)) }
        } setup: {
            try await LiveHAProxy.started(servers: servers).fetch()
        }
    }
    // Fields decode when read: parsing and then reading what the dashboard
    // shows of each server must stay cheap too.
    Benchmark("parse 1000 servers, read 6 fields each") { benchmark, page in
        for _ in benchmark.scaledIterations {
            for row in try StatsCSVParser.parse(page).servers {
                blackHole((row.status, row.weight, row.currentSessions, row.rate, row.checkStatus, row.lastChange))
            }
        }
    } setup: {
        try await LiveHAProxy.started(servers: 1_000).fetch()
    }
}

/// A haproxy with `servers` servers in one backend (no checks, so nothing
/// leaves loopback), on a free port; one per size for the whole run.
actor LiveHAProxy {
    static let registry = Registry()
    let endpoint: StatsEndpoint
    let scraper = StatsScraper()

    init(endpoint: StatsEndpoint) { self.endpoint = endpoint }

    static func started(servers: Int) async throws -> LiveHAProxy { try await registry.instance(servers: servers) }

    func fetch() async throws -> [UInt8] { try await scraper.fetch(endpoint) }

    actor Registry {
        var instances: [Int: LiveHAProxy] = [:]
        var processes: [Process] = []

        func instance(servers: Int) async throws -> LiveHAProxy {
            if let i = instances[servers] { return i }
            let port = Int.random(in: 20000 ... 32000)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("serftop-bench-\(getpid())-\(servers)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            var lines = ["defaults", "    mode http", "    timeout connect 1s", "    timeout client 10s", "    timeout server 10s",
                         "listen stats", "    bind 127.0.0.1:\(port)", "    stats enable", "    stats uri /",
                         "backend nodes"]
            for i in 0 ..< servers { lines.append("    server s\(i) 127.0.0.\(1 + i % 250):\(3000 + i / 250)") }
            let config = dir.appendingPathComponent("haproxy.cfg")
            try (lines.joined(separator: "\n") + "\n").write(to: config, atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/sbin/haproxy")
            p.arguments = ["-db", "-f", config.path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            processes.append(p)
            atexit { Registry.stopAll() }
            Registry.pids.withLock { $0.append(p.processIdentifier) }
            let instance = LiveHAProxy(endpoint: try StatsEndpoint("http://127.0.0.1:\(port)/"))
            for _ in 0 ..< 100 {
                if (try? await instance.fetch()) != nil { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            instances[servers] = instance
            return instance
        }

        static let pids = Mutex<[Int32]>([])
        static func stopAll() { pids.withLock { for p in $0 { kill(p, SIGTERM) } } }
    }
}
