import Foundation
import HAProxy
import Testing
import TestSupport

extension DemoTopologyTests {
    /// Hitless changes: wrk through haproxy while it reloads and while web apps
    /// come and go gracefully. Every request must succeed: no non-2xx answer
    /// and no socket error of any kind.
    @Suite(.serialized) struct LoadEndToEndTests {
        struct WrkResult: CustomStringConvertible {
            var requests = 0
            var non2xx = 0
            var socketErrors = 0
            var raw = ""
            var description: String { "\(requests) requests, \(non2xx) non-2xx, \(socketErrors) socket errors" }

            init(_ output: String) {
                raw = output
                for line in output.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    if line.contains("requests in") { requests = Int(line.split(separator: " ")[0]) ?? 0 }
                    if line.hasPrefix("Non-2xx or 3xx responses:") { non2xx = Int(line.split(separator: " ").last ?? "") ?? 0 }
                    if line.hasPrefix("Socket errors:") {
                        // Socket errors: connect 0, read 3, write 0, timeout 0
                        socketErrors = line.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }.reduce(0, +)
                    }
                }
            }
        }

        func wrk(_ url: String, seconds: Int) async throws -> WrkResult {
            let r = try await Tools.run("wrk", ["-t2", "-c16", "-d\(seconds)s", "--timeout", "5s", url])
            #expect(r.status == 0, "\(r.output)")
            return WrkResult(r.output)
        }

        /// The counts above come from wrk's own summary: failures must show up in them.
        @Test func wrkFailuresAreCounted() async throws {
            let backend = try HTTPBackend()
            try await backend.waitUntilReady()
            let r = try await Tools.run("wrk", ["-t1", "-c2", "-d1s", "http://127.0.0.1:\(backend.port)/missing"])
            let result = WrkResult(r.output)
            #expect(result.requests > 0 && result.non2xx == result.requests, "\(r.output)")
            let errors = WrkResult("  Socket errors: connect 0, read 3, write 1, timeout 2\n")
            #expect(errors.socketErrors == 6)
        }

        /// wrk sizes its event loop for its own sockets; a descriptor inherited
        /// from the test process pushes them past it, and wrk reports each as a
        /// failed connect. The tools a test runs must start with stdio only.
        @Test func toolsInheritOnlyStandardDescriptors() async throws {
            let fd = open("/dev/null", O_RDONLY)
            #expect(fd > 2)
            defer { close(fd) }
            let r = try await Tools.run("sh", ["-c", "ls /proc/$$/fd"])
            let open = Set(r.output.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) })
            #expect(!open.contains(fd), "descriptor \(fd) leaked into the child: \(open.sorted())")
            #expect(open.isSubset(of: [0, 1, 2]), "\(open.sorted())")
        }

        @Test func fiftyReloadsUnderLoadLoseNoRequest() async throws {
            let demo = try await DemoInstance(nodes: 2)
            let master = MasterCLI(address: .unix(path: demo.masterSocket))
            let load = Task { try await wrk(demo.endpoints.site, seconds: 40) }
            try await Task.sleep(for: .seconds(1))
            var done = 0
            for _ in 0 ..< 50 {
                let outcome = try await master.reload()
                #expect(outcome.succeeded, "\(outcome)")
                if outcome.succeeded { done += 1 }
            }
            let result = try await load.value
            print("50 reloads under wrk: \(result)")
            #expect(done == 50)
            #expect(result.requests > 1000, "\(result.raw)")
            #expect(result.non2xx == 0 && result.socketErrors == 0, "\(result.raw)")
        }

        @Test func nodesAddedAndRemovedGracefullyUnderLoadLoseNoRequest() async throws {
            let demo = try await DemoInstance(nodes: 2)
            let load = Task { try await wrk(demo.endpoints.site, seconds: 30) }
            var apps: [WebApp] = []
            for i in 1 ... 3 {
                let app = try WebApp("extra\(i)")
                try await app.waitUntilServing()
                try app.join(demo.endpoints.gossip)
                try await eventually("\(app.name) in the config") { try demo.configuredServers().contains(app.name) }
                apps.append(app)
            }
            for app in apps.prefix(2) {
                app.leave()
                try await eventually("\(app.name) out of the config", timeout: 20) { try !demo.configuredServers().contains(app.name) }
                await app.app.stop()
            }
            let result = try await load.value
            print("3 nodes added, 2 removed under wrk: \(result)")
            #expect(try Set(demo.configuredServers()) == Set(demo.endpoints.nodes + ["extra3"]))
            #expect(result.requests > 1000, "\(result.raw)")
            #expect(result.non2xx == 0 && result.socketErrors == 0, "\(result.raw)")
        }

        /// Runtime first: twenty web apps join, one every 2 s, then leave
        /// gracefully, one every 2 s, all under wrk. HAProxy gets every change
        /// through its runtime API: no request fails and it is never reloaded,
        /// while the file still follows the membership. A template edit then
        /// costs exactly one reload.
        @Test func twentyJoinsAndLeavesUnderLoadCostNoReload() async throws {
            let demo = try await DemoInstance(nodes: 2)
            let master = MasterCLI(address: .unix(path: demo.masterSocket))
            let running = RuntimeServers(api: RuntimeAPI(address: HAProxyAddress(demo.runtimeAPI)!), backend: "nodes")
            let before = try await master.processes().reloads
            let adds = #"serftop_balancer_runtime_changes_total{change="add"}"#
            let deletes = #"serftop_balancer_runtime_changes_total{change="delete"}"#
            let reloadsMetric = "serftop_balancer_reloads_total"
            let addsBefore = try #require(await demo.metric(adds)), deletesBefore = try #require(await demo.metric(deletes))
            let load = Task { try await wrk(demo.endpoints.site, seconds: 100) }
            var apps: [WebApp] = []
            for i in 1 ... 20 {
                let app = try WebApp("live\(i)")
                try await app.waitUntilServing()
                try app.join(demo.endpoints.gossip)
                apps.append(app)
                try await Task.sleep(for: .seconds(2))
            }
            let all = Set(demo.endpoints.nodes + apps.map(\.name))
            try await eventually("all 22 servers in the config", timeout: 20) { Set(try demo.configuredServers()) == all }
            #expect(try await running.names() == all)
            // Served: wrk's requests reach every server added at run time
            // (round-robin under wrk's load cannot be aimed at one server).
            let rows = try await RuntimeAPI(address: HAProxyAddress(demo.runtimeAPI)!).stats().servers
            for app in apps {
                let row = rows.first { $0.proxy == "nodes" && $0.service == app.name }
                #expect(row?.status?.takesTraffic == true && (row?.fields["stot"].flatMap { Int($0) } ?? 0) > 0,
                        "\(app.name): \(row?.fields ?? [:])")
            }
            let reloadsAfterJoins = try await master.processes().reloads
            // The metrics move while wrk runs: twenty additions, no reload.
            #expect(try #require(await demo.metric(adds)) >= addsBefore + 20)
            #expect(await demo.metric(reloadsMetric) == 0)
            for app in apps {
                app.leave()
                try await Task.sleep(for: .seconds(2))
            }
            try await eventually("the config back to the demo's nodes", timeout: 40) {
                Set(try demo.configuredServers()) == Set(demo.endpoints.nodes)
            }
            let result = try await load.value
            for app in apps { await app.app.stop() }
            let after = try await master.processes().reloads
            let balancerLog = (try? String(contentsOfFile: demo.endpoints.directory + "/logs/balancer.log", encoding: .utf8)) ?? ""
            print("20 joins and 20 leaves, one every 2 s, under wrk: \(result); reloads \(before) → \(reloadsAfterJoins) → \(after)")
            #expect(after == before, "HAProxy was reloaded:\n\(balancerLog.suffix(3000))")
            #expect(try #require(await demo.metric(deletes)) >= deletesBefore + 20)
            #expect(await demo.metric(#"serftop_balancer_servers{state="UP"}"#) == 2)
            #expect(try await running.names() == Set(demo.endpoints.nodes))
            #expect(result.requests > 1000, "\(result.raw)")
            #expect(result.non2xx == 0 && result.socketErrors == 0, "\(result.raw)")

            // Anything else in the file takes a reload: one, on its own.
            let template = try String(contentsOfFile: demo.endpoints.template, encoding: .utf8)
            let edited = template.replacingOccurrences(of: "timeout server 50s", with: "timeout server 51s")
            #expect(edited != template)
            try edited.write(toFile: demo.endpoints.template, atomically: true, encoding: .utf8)
            try await eventually("the edit in the config", timeout: 10) {
                try String(contentsOfFile: demo.endpoints.config, encoding: .utf8).contains("timeout server 51s")
            }
            // The master re-executes on reload, and refuses its CLI meanwhile.
            try await eventually("one reload", timeout: 10) { (try? await master.processes().reloads) == after + 1 }
            try await Task.sleep(for: .seconds(3))
            #expect(try await master.processes().reloads == after + 1)
            #expect(await demo.metric(reloadsMetric) == 1)
        }

        /// A serf agent restarted on the balancer host knows only itself; the
        /// balancer must not take that for every web app having gone. The
        /// same when the balancer daemon restarts with it (a host reboot):
        /// the daemon starts from what HAProxy serves.
        @Test(arguments: [false, true])
        func restartingTheBalancersAgentLosesNoServerAndNoRequest(daemonToo: Bool) async throws {
            let demo = try await DemoInstance(nodes: 3)
            let agentPID = try #require(Processes.find { $0.starts(with: ["serf", "agent", "-node=ha", "-bind=\(demo.endpoints.gossip)"]) },
                                        "the demo's balancer agent")
            let agentArguments = try Processes.commandLine(of: agentPID)
            let daemonPID = Processes.find { $0.count > 3 && $0[0] == "serftop" && $0[1] == "balancer" && $0.contains(demo.endpoints.config) }
            let daemonArguments = try daemonPID.map(Processes.commandLine(of:))
            let load = Task { try await wrk(demo.endpoints.site, seconds: 40) }
            let watch = Task { () -> [String] in
                var lost: Set<String> = []
                while !Task.isCancelled {
                    if let now = try? demo.configuredServers() { lost.formUnion(Set(demo.endpoints.nodes).subtracting(now)) }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                return lost.sorted()
            }
            try await Task.sleep(for: .seconds(3))
            kill(agentPID, SIGKILL)
            if daemonToo { kill(try #require(daemonPID, "the demo's balancer daemon"), SIGKILL) }
            // Long enough for the web apps' agents to declare it failed: then
            // they stop gossiping to it, and only serf's reconnect (every
            // 30 s) brings them back to the fresh agent.
            try await Task.sleep(for: .seconds(10))
            let again = try Daemon("ha-serf-again", executable: "serf", arguments: Array(agentArguments.dropFirst()))
            defer { again.stop(signal: SIGINT) }
            let daemonAgain = try daemonToo ? daemonArguments.map {
                try Daemon("balancer-again", executable: $0[0], arguments: Array($0.dropFirst()))
            } : nil
            defer { daemonAgain?.stop() }
            let result = try await load.value
            watch.cancel()
            let lost = await watch.value
            print("balancer agent\(daemonToo ? " and daemon" : "") killed and restarted under wrk: \(result); servers ever missing: \(lost)")
            #expect(lost.isEmpty, "servers dropped from the config: \(lost)\n\(daemonAgain?.log ?? "")")
            #expect(result.requests > 1000, "\(result.raw)")
            #expect(result.non2xx == 0 && result.socketErrors == 0, "\(result.raw)")
        }
    }
}
