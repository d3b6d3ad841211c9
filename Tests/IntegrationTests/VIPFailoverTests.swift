import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension RealNetworkTests {
    /// One address for the site that survives a balancer: two balancer hosts
    /// (serf agent, `serftop balancer`, haproxy in master-worker mode,
    /// keepalived) share a virtual IP by VRRP, with the image's own scripts
    /// (`Dockerfiles/ha/rootfs/usr/local/bin/vrrp-*`): the configuration
    /// written from the environment, the check of the local HAProxy, and the
    /// notify script that moves the serf tag `vip`. Two web apps behind them,
    /// and a client that asks the VIP every 50 ms.
    ///
    /// A returning balancer does not take the address back (`nopreempt`):
    /// each move is a gap for the clients, and the holder is as good as the
    /// other, so the address moves only when its holder fails. The runs
    /// therefore alternate between the two hosts.
    @Suite struct VIPFailover {
        static let subnet = 31
        static let vip = "10.77.31.200"
        static let runs = 5
        static let allowedGap = 3.0

        static let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        static let scripts = repository.appendingPathComponent("Dockerfiles/ha/rootfs/usr/local/bin").path
        static let template = repository.appendingPathComponent("Dockerfiles/ha/haproxy.cfg.mustache").path

        @Test func theAddressMovesToTheOtherBalancerWhenHAProxyDiesOrTheLinkGoes() async throws {
            let began = Date()
            let lab = try await NetLab.create("vip", subnet: Self.subnet, hosts: 5)
            defer { lab.close() }
            let pair = try await Pair.start(lab)
            let setUp = Date().timeIntervalSince(began)

            var killed: [Double] = []
            for run in 1 ... Self.runs {
                killed.append(try await pair.failOver("haproxy killed", run: run) { holder in
                    try await holder.killHAProxy()
                } restore: { old in
                    try await old.restartHAProxy(lab)
                })
            }
            var unlinked: [Double] = []
            for run in 1 ... Self.runs {
                unlinked.append(try await pair.failOver("link down", run: run) { holder in
                    try await lab.linkDown(holder.host)
                } restore: { old in
                    try await lab.linkUp(old.host)
                    // serf would find the others again on its own within its 30 s reconnect interval.
                    let other = pair.balancers.first { $0 !== old }!
                    try await old.agent.serf("join", [other.agent.gossipAddress])
                })
            }
            withExtendedLifetime(pair) {}
            func list(_ gaps: [Double]) -> String { gaps.map { String(format: "%.2f s", $0) }.joined(separator: ", ") }
            print("""
                [VIP failover] gaps with haproxy killed (master and worker): \(list(killed)); max \(list([killed.max() ?? 0]))
                [VIP failover] gaps with the holder's link down: \(list(unlinked)); max \(list([unlinked.max() ?? 0]))
                [VIP failover] set-up \(secs(setUp)), whole test \(secs(Date().timeIntervalSince(began)))
                """)
            for (i, gap) in killed.enumerated() {
                #expect(gap <= Self.allowedGap, "haproxy killed, run \(i + 1): requests failed for \(gap) s")
            }
            for (i, gap) in unlinked.enumerated() {
                #expect(gap <= Self.allowedGap, "link down, run \(i + 1): requests failed for \(gap) s")
            }
        }

        struct Stopped: Error, CustomStringConvertible {
            let what: String
            let log: String
            var description: String { "\(what) failed:\n\(log.suffix(3000))" }
        }

        // MARK: the cluster

        /// One balancer host: its agent, haproxy, the balancer daemon and keepalived.
        final class Balancer: @unchecked Sendable {
            let name: String
            let host: NetLab.Host
            let directory: URL
            let agent: SerfAgent
            var haproxy: Daemon?
            var keepalived: Daemon?
            var balancer: Daemon?

            var configPath: String { directory.appendingPathComponent("haproxy.cfg").path }
            var masterSocket: String { directory.appendingPathComponent("master.sock").path }
            var statePath: String { directory.appendingPathComponent("vrrp-state").path }

            init(_ name: String, host: NetLab.Host, agent: SerfAgent) {
                self.name = name
                self.host = host
                self.agent = agent
                directory = TemporaryDirectory.shared.make("vip-\(name)")
            }

            func balancerArguments(keyFile: String) -> [String] {
                let dir = directory.path
                return ["--rpc", agent.rpcAddress, "--template", VIPFailover.template, "--config", configPath,
                        "--haproxy-master", "unix:\(masterSocket)", "--runtime-api", "unix:\(dir)/admin.sock",
                        "--state-file", "\(dir)/server-state", "--action-key-file", keyFile,
                        "--set", "site_bind=*:80", "--set", "stats_bind=*:1936",
                        "--set", "admin_socket=\(dir)/admin.sock", "--set", "admin_tcp=127.0.0.1:9999",
                        "--set", "state_file=\(dir)/server-state"]
            }

            func startHAProxy(_ lab: NetLab) async throws {
                let daemon = try lab.start("haproxy-\(name)", on: host, "haproxy",
                                           ["-W", "-db", "-S", masterSocket, "-f", configPath])
                haproxy = daemon
                try await eventually("\(name)'s haproxy to answer on its stats port", timeout: 15, every: 0.1) {
                    guard daemon.isRunning else { throw Stopped(what: "haproxy on \(name)", log: daemon.log) }
                    return try await lab.run(on: host, VIPFailover.scripts + "/vrrp-check",
                                             ["http://127.0.0.1:1936/;csv"]).status == 0
                }
            }

            /// SIGKILL to the master and its workers at once: nothing of
            /// HAProxy is left to close a connection or answer a check.
            func killHAProxy() async throws {
                guard let master = haproxy else { return }
                let children = (try? String(contentsOfFile: "/proc/\(master.pid)/task/\(master.pid)/children", encoding: .utf8)) ?? ""
                let workers = children.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                try #require(!workers.isEmpty, "\(name)'s haproxy master \(master.pid) has no worker to kill")
                kill(master.pid, SIGKILL)
                for w in workers { kill(w, SIGKILL) }
                await master.crash()
                for w in workers {
                    try await eventually("\(name)'s haproxy worker \(w) to be gone", timeout: 5, every: 0.02) {
                        kill(w, 0) != 0 || (try? String(contentsOfFile: "/proc/\(w)/stat", encoding: .utf8))?.contains(") Z ") == true
                    }
                }
            }

            func restartHAProxy(_ lab: NetLab) async throws { try await startHAProxy(lab) }

            /// keepalived's last state as the notify script wrote it.
            var vrrpState: String {
                ((try? String(contentsOfFile: statePath, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            }

            func holdsVIP(_ lab: NetLab) async throws -> Bool {
                let out = try await lab.run(on: host, "ip", ["-4", "-o", "addr", "show", "dev", host.device]).output
                return out.contains(" \(VIPFailover.vip)/")
            }
        }

        final class Pair: @unchecked Sendable {
            let lab: NetLab
            let balancers: [Balancer]
            let client: NetLab.Host
            let clientAgent: SerfAgent
            let webApps: [String]
            let backendAgents: [SerfAgent]
            let requests: Daemon

            init(lab: NetLab, balancers: [Balancer], client: NetLab.Host, clientAgent: SerfAgent, webApps: [String],
                 backendAgents: [SerfAgent], requests: Daemon) {
                self.lab = lab
                self.balancers = balancers
                self.client = client
                self.clientAgent = clientAgent
                self.webApps = webApps
                self.backendAgents = backendAgents
                self.requests = requests
            }

            /// h0 and h1 balance (ha1 with the higher priority, so it
            /// normally holds the address first), h2 and h3 serve, h4 is the client.
            static func start(_ lab: NetLab) async throws -> Pair {
                let dir = TemporaryDirectory.shared.make("vip")
                // The same key on both balancers, as in a real pair: either may act on a signed query.
                let keyFile = dir.appendingPathComponent("action.key").path
                var keyBytes = [UInt8](repeating: 0, count: 32)
                for i in keyBytes.indices { keyBytes[i] = UInt8.random(in: 0 ... 255) }
                guard FileManager.default.createFile(atPath: keyFile, contents: Data(Data(keyBytes).base64EncodedString().utf8),
                                                     attributes: [.posixPermissions: 0o600]) else {
                    throw Stopped(what: "writing \(keyFile)", log: "")
                }

                var balancers: [Balancer] = []
                for (i, name) in ["ha1", "ha2"].enumerated() {
                    let h = lab.hosts[i]
                    let agent = try RealNetworkTests.agentWithTags(
                        lab, name, on: h, tags: ["role": "balancer", "stats": "http://\(h.address):1936/"],
                        join: balancers.map(\.agent.gossipAddress))
                    try await agent.waitUntilReady()
                    balancers.append(Balancer(name, host: h, agent: agent))
                }
                var webApps: [String] = []
                var backendAgents: [SerfAgent] = []
                for (i, name) in ["s1", "s2"].enumerated() {
                    let h = lab.hosts[2 + i]
                    let app = try lab.start("\(name)-app", on: h, "env",
                                            ["PORT=3000", "BIND=0.0.0.0", "NODE_NAME=\(name)", "NODE_PATH=/usr/share/nodejs",
                                             "ADVERTISE_IP=\(h.address)", try Tools.path(of: "node"), WebApp.script])
                    try await eventually("\(name)'s web app", timeout: 20, every: 0.1) {
                        guard app.isRunning else { throw Stopped(what: "\(name)'s web app", log: app.log) }
                        return try await lab.run(on: h, "curl", ["-sf", "-o", "/dev/null", "http://127.0.0.1:3000/healthz"]).status == 0
                    }
                    let agent = try RealNetworkTests.agentWithTags(lab, name, on: h, tags: ["role": "backend", "port": "3000"],
                                                                   join: balancers.map(\.agent.gossipAddress))
                    try await agent.waitUntilReady()
                    webApps.append(name)
                    backendAgents.append(agent)
                }
                let client = lab.hosts[4]
                let clientAgent = try RealNetworkTests.agentWithTags(lab, "client", on: client, tags: [:],
                                                                     join: balancers.map(\.agent.gossipAddress))
                try await clientAgent.waitUntilReady()

                let serftop = try SerftopBinary.path()
                for (i, b) in balancers.enumerated() {
                    let once = try await lab.run(on: b.host, serftop, ["balancer", "--once"] + b.balancerArguments(keyFile: keyFile))
                    try #require(once.status == 0, "\(b.name): the first configuration was not installed: \(once.output)")
                    try await b.startHAProxy(lab)
                    b.balancer = try lab.start("balancer-\(b.name)", on: b.host, serftop,
                                               ["balancer"] + b.balancerArguments(keyFile: keyFile))
                    let peer = balancers[1 - i].host.address
                    let conf = b.directory.appendingPathComponent("keepalived.conf").path
                    let written = try await Tools.run("env", [
                        "VRRP_VIP=\(vip)/24", "VRRP_INTERFACE=\(b.host.device)", "VRRP_PRIORITY=\(i == 0 ? 150 : 100)",
                        "VRRP_ROUTER_ID=\(subnet)", "VRRP_PEERS=\(peer)", "VRRP_ADVERT_INT=0.2",
                        "VRRP_CHECK_URL=http://127.0.0.1:1936/;csv", "VRRP_CHECK_INTERVAL=1", "VRRP_CHECK_FALL=1",
                        "VRRP_CHECK_RISE=2", "VRRP_STATE_DIR=\(b.directory.path)", "SERF_RPC=\(b.agent.rpcAddress)",
                        scripts + "/vrrp-config"])
                    try #require(written.status == 0, "vrrp-config for \(b.name): \(written.output)")
                    try written.output.write(toFile: conf, atomically: true, encoding: .utf8)
                    b.keepalived = try lab.start("keepalived-\(b.name)", on: b.host, "keepalived",
                                                 ["--dont-fork", "--log-console", "--log-detail", "--no-syslog", "--vrrp",
                                                  "-f", conf, "-p", "\(b.directory.path)/keepalived.pid",
                                                  "-r", "\(b.directory.path)/vrrp.pid"])
                }

                let requests = try lab.start("requests", on: client, "python3", ["-u", "-c", requestLoop, vip])
                let pair = Pair(lab: lab, balancers: balancers, client: client, clientAgent: clientAgent,
                                webApps: webApps, backendAgents: backendAgents, requests: requests)
                try await eventually("one balancer to hold \(vip)", timeout: 20, every: 0.1) {
                    for b in balancers where b.keepalived?.isRunning != true {
                        throw Stopped(what: "keepalived on \(b.name)", log: b.keepalived?.log ?? "")
                    }
                    return try await pair.holders().count == 1
                }
                for b in balancers { try await pair.waitUntilServing(b) }
                return pair
            }

            /// Each request on a new connection, so that none outlives the
            /// address moving; one line per answer: time, ok|fail, why.
            static let requestLoop = """
                import http.client, sys, time
                vip = sys.argv[1]
                while True:
                    ok, why = False, ""
                    try:
                        c = http.client.HTTPConnection(vip, 80, timeout=0.5)
                        c.request("GET", "/", headers={"Connection": "close"})
                        r = c.getresponse()
                        r.read()
                        ok, why = r.status == 200, str(r.status)
                        c.close()
                    except Exception as e:
                        why = type(e).__name__
                    print("%.3f %s %s" % (time.time(), "ok" if ok else "fail", why), flush=True)
                    time.sleep(0.05)
                """

            /// The answers so far: (time, ok).
            func answers() -> [(t: Double, ok: Bool)] {
                requests.log.split(separator: "\n").compactMap { line in
                    let f = line.split(separator: " ")
                    guard f.count >= 2, let t = Double(f[0]) else { return nil }
                    return (t, f[1] == "ok")
                }
            }

            func holders() async throws -> [Balancer] {
                var out: [Balancer] = []
                for b in balancers where try await b.holdsVIP(lab) { out.append(b) }
                return out
            }

            /// The alive members carrying `vip=<the VIP>`, as the client's agent sees them.
            func taggedHolders() async throws -> [String] {
                try await clientAgent.members()
                    .filter { $0.value.status == "alive" && $0.value.tags["vip"] == VIPFailover.vip }
                    .map(\.key).sorted()
            }

            /// The balancer answers on its own address with both web apps,
            /// and keepalived is in BACKUP or MASTER with its check passing.
            func waitUntilServing(_ b: Balancer, timeout: Double = 40) async throws {
                try await eventually("\(b.name) to serve \(webApps) on \(b.host.address)", timeout: timeout, every: 0.25) {
                    var seen = Set<String>()
                    for _ in 0 ..< 4 {
                        let r = try await lab.run(on: client, "curl", ["-s", "--max-time", "1", "http://\(b.host.address)/"])
                        for app in webApps where r.output.contains("\"host\":\"\(app)\"") { seen.insert(app) }
                    }
                    return seen == Set(webApps)
                }
                try await eventually("\(b.name)'s keepalived to be MASTER or BACKUP", timeout: 15, every: 0.1) {
                    ["MASTER", "BACKUP"].contains(b.vrrpState)
                }
            }

            /// The dashboard, run on the client's host and joined through
            /// `holder`, with the holder's ROLE cell saying `vip`.
            /// - `.before` the fault: both balancers listed and scraped.
            /// - `.during` it: the new holder; the old one only if it is still
            ///   known. A dashboard that joins after the cut-off balancer was
            ///   declared failed never hears of it (memberlist does not pass on
            ///   the dead), and it keeps its tag until it is back.
            /// - `.afterRestore`: both listed and scraped, the old holder
            ///   without `vip`.
            enum Moment { case before, during, afterRestore }

            func dashboardShows(_ holder: Balancer, beside other: Balancer, _ moment: Moment) async throws {
                let args = ["snapshot", "--format", "text", "--join", holder.agent.gossipAddress,
                            "--bind", "\(client.address):0", "--size", "140x30"]
                var screen = "", shown = false
                defer { if !shown { print("[VIP failover] last dashboard seen:\n\(screen)") } }
                // Each look joins the cluster and scrapes both balancers, one
                // of them perhaps unreachable: a few seconds a look.
                try await eventually("the dashboard to show \(holder.name) holding the address", timeout: 45, every: 0.5) {
                    screen = try await lab.run(on: client, try SerftopBinary.path(), args).output
                    let rows = DemoTopologyTests.SnapshotCommandEndToEndTests.rows(screen)
                    guard rows[holder.name]?.contains("balancer vip") == true else { return false }
                    switch moment {
                    case .during:
                        return true
                    case .before:
                        guard rows[other.name] != nil else { return false }
                    case .afterRestore:
                        guard let row = rows[other.name], !row.contains("vip") else { return false }
                    }
                    return screen.contains("haproxy \(holder.name) ✓") && screen.contains("haproxy \(other.name) ✓")
                }
                shown = true
                let when = switch moment { case .before: "before the fault"; case .during: "during the fault"; case .afterRestore: "after the restore" }
                print("[VIP failover] dashboard \(when):\n" + screen.split(separator: "\n").prefix(8).joined(separator: "\n"))
            }

            /// Injects the fault on the holder, waits for the other to serve
            /// the address, measures the gap, restores, and checks that the
            /// address stays where it went. Returns the gap in seconds.
            func failOver(_ what: String, run: Int, inject: (Balancer) async throws -> Void,
                          restore: (Balancer) async throws -> Void) async throws -> Double {
                let held = try await holders()
                try #require(held.count == 1, "[\(what) \(run)] \(held.map(\.name)) hold \(VIPFailover.vip) before the fault")
                let holder = held[0]
                let other = balancers.first { $0 !== holder }!
                try await eventually("[\(what) \(run)] the vip tag on \(holder.name) alone", timeout: 15, every: 0.1) {
                    try await taggedHolders() == [holder.name]
                }
                try await eventually("[\(what) \(run)] requests to the VIP to succeed", timeout: 15, every: 0.1) {
                    let last = answers().suffix(10)
                    return last.count == 10 && last.allSatisfy { $0.ok }
                }

                if run == 1 { try await dashboardShows(holder, beside: other, .before) }

                let faultAt = Date().timeIntervalSince1970
                try await inject(holder)
                try await eventually("[\(what) \(run)] \(other.name) to take \(VIPFailover.vip)", timeout: 10, every: 0.02) {
                    try await other.holdsVIP(lab)
                }
                let movedAfter = Date().timeIntervalSince1970 - faultAt
                try await eventually("[\(what) \(run)] requests to succeed again", timeout: 15, every: 0.05) {
                    let after = answers().filter { $0.t > faultAt }
                    return after.suffix(10).count == 10 && after.suffix(10).allSatisfy { $0.ok }
                }
                let window = answers().filter { $0.t >= faultAt - 1 }
                let (gap, failed) = Self.longestGap(window)
                // A holder cut off cannot withdraw its tag until it is back:
                // here the new holder must carry it; after the restore, it alone.
                try await eventually("[\(what) \(run)] the vip tag on \(other.name)", timeout: 15, every: 0.1) {
                    try await taggedHolders().contains(other.name)
                }
                if run == 1 { try await dashboardShows(other, beside: holder, .during) }
                print("[VIP failover] \(what), run \(run): \(holder.name) → \(other.name), address moved after "
                      + String(format: "%.2f s, requests failed for %.2f s (%d failed)", movedAfter, gap, failed))

                try await restore(holder)
                try await waitUntilServing(holder)
                // No preemption: the returning balancer stays the standby.
                try await Task.sleep(for: .seconds(1))
                let after = try await holders()
                #expect(after.map(\.name) == [other.name],
                        "[\(what) \(run)] after \(holder.name) came back, \(after.map(\.name)) hold the address")
                try await eventually("[\(what) \(run)] \(holder.name) to be the standby without the vip tag", timeout: 20, every: 0.1) {
                    guard holder.vrrpState == "BACKUP" else { return false }
                    return try await taggedHolders() == [other.name]
                }
                if run == 1 { try await dashboardShows(other, beside: holder, .afterRestore) }
                return gap
            }

            /// From the last success before the longest run of failures to the
            /// first success after it, and how many requests failed in it.
            static func longestGap(_ answers: [(t: Double, ok: Bool)]) -> (Double, Int) {
                var best = (0.0, 0)
                var lastOK: Double?
                var failures = 0
                for a in answers {
                    if a.ok {
                        if let last = lastOK, failures > 0, a.t - last > best.0 { best = (a.t - last, failures) }
                        lastOK = a.t
                        failures = 0
                    } else {
                        failures += 1
                    }
                }
                return best
            }
        }
    }

    /// An agent in the host's namespace with the given tags and joins.
    static func agentWithTags(_ lab: NetLab, _ name: String, on h: NetLab.Host, tags: [String: String],
                              join: [String]) throws -> SerfAgent {
        var o = SerfAgent.Options()
        o.placement = .init(namespace: h.namespace, address: h.address)
        o.tags = tags
        o.join = join
        o.profile = "lan"
        o.logLevel = "info"
        return try SerfAgent(name, o)
    }
}
