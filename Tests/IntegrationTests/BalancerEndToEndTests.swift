import Foundation
import HAProxy
import Serf
import Testing
import TestSupport

extension DemoTopologyTests {
    /// The balancer on the demo topology: real serf agents, haproxy 2.6 in
    /// master-worker mode, Node.js web apps, `serftop balancer`, on loopback.
    @Suite(.serialized) struct BalancerEndToEndTests {
        func runtime(_ demo: DemoInstance) -> RuntimeAPI { RuntimeAPI(address: HAProxyAddress(demo.runtimeAPI)!) }
        func master(_ demo: DemoInstance) -> MasterCLI { MasterCLI(address: .unix(path: demo.masterSocket)) }

        func serverStatus(_ demo: DemoInstance, _ name: String) async -> String? {
            try? await runtime(demo).stats().servers.first { $0.proxy == "nodes" && $0.service == name }?.status?.raw
        }

        @Test func aNewWebAppServesWithinTwoSecondsOfItsAgentStarting() async throws {
            let demo = try await DemoInstance(nodes: 1)
            var times: [Double] = []
            var apps: [WebApp] = []
            for i in 1 ... 5 {
                let app = try WebApp("join\(i)")
                apps.append(app)
                try await app.waitUntilServing()
                let start = Date()
                try app.join(demo.endpoints.gossip)
                try await eventually("\(app.name) to answer through haproxy", timeout: 10, every: 0.02) {
                    await demo.serves(app.name)
                }
                times.append(Date().timeIntervalSince(start))
            }
            let sorted = times.sorted()
            print("join-to-serving seconds: \(times.map { String(format: "%.3f", $0) }); median \(String(format: "%.3f", sorted[sorted.count / 2]))")
            // The median says what a join costs; one slow join is allowed
            // when the machine is busy with the suites running beside this one.
            #expect(sorted[sorted.count / 2] < 2.0, "join-to-serving times \(times)")
            #expect(sorted.last! < 8.0, "join-to-serving times \(times)")
            #expect(try demo.configuredServers().count == 6)
        }

        /// The daemon's health check answers for HAProxy now, not for what
        /// the last watch saw: a killed HAProxy fails it at once.
        @Test func theHealthEndpointFailsWhenHAProxyIsKilled() async throws {
            let demo = try await DemoInstance(nodes: 1)
            func health() async throws -> (code: String, body: String) { try await Self.health(demo) }
            let healthy = try await health()
            #expect(healthy.code == "200" && healthy.body == "ok", "\(healthy)")
            // A request head larger than any client sends is refused, and the
            // server goes on answering others.
            let huge = try await Tools.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H",
                                                    "X-Big: " + String(repeating: "a", count: 100_000), demo.endpoints.metrics[0]])
            #expect(huge.output != "200", "\(huge.output)")
            #expect(try await health().code == "200")
            #expect(await demo.metric("serftop_balancer_haproxy_up") == 1)
            #expect(await demo.metric("serftop_balancer_agent_connected") == 1)
            #expect(await demo.metric(#"serftop_balancer_members{status="alive"}"#) == 2)
            let state = try await master(demo).processes()
            kill(Int32(state.masterPID), SIGKILL)
            for worker in state.workers { kill(Int32(worker), SIGKILL) }
            let failed = try await health()
            #expect(failed.code == "503", "\(failed)")
            #expect(failed.body.contains("HAProxy's master CLI does not answer"), "\(failed)")
            try await eventually("haproxy_up to drop to 0", timeout: 10) { await demo.metric("serftop_balancer_haproxy_up") == 0 }
            let notFound = try await Tools.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}",
                                                        demo.endpoints.health[0].replacingOccurrences(of: "healthz", with: "nope")])
            #expect(notFound.output == "404")
            let post = try await Tools.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", demo.endpoints.metrics[0]])
            #expect(post.output == "405")
        }

        /// A stopped agent keeps its RPC connection open and says nothing:
        /// the health endpoint asks it, fails, and recovers when it runs again.
        @Test func theHealthEndpointFailsWhileTheAgentIsStopped() async throws {
            let demo = try await DemoInstance(nodes: 1)
            let agentPID = try #require(Processes.find { $0.starts(with: ["serf", "agent", "-node=ha", "-bind=\(demo.endpoints.gossip)"]) })
            try await eventually("the balancer to be healthy") { try await Self.health(demo).code == "200" }
            try await Processes.halt(agentPID)
            defer { kill(agentPID, SIGCONT) }
            let stopped = try await eventuallyValue("the health endpoint to fail", timeout: 30) {
                let h = try await Self.health(demo)
                return h.code == "503" ? h : nil
            }
            // The probe's words: without it, the balancer would notice only
            // when its own next call timed out (10 s), as "not following".
            #expect(stopped.body.contains("the serf agent does not answer within"), "\(stopped)")
            kill(agentPID, SIGCONT)
            try await eventually("the balancer to be healthy again", timeout: 30) { try await Self.health(demo).code == "200" }
        }

        static func health(_ demo: DemoInstance) async throws -> (code: String, body: String) {
            let r = try await Tools.run("curl", ["-s", "--max-time", "5", "-w", "\n%{http_code}", demo.endpoints.health[0]])
            let lines = r.output.split(separator: "\n", omittingEmptySubsequences: false)
            return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
        }

        /// A member's name reaches the balancer's log as text: a name that
        /// would retitle the terminal following the log, and print a record
        /// of its own, is one escaped line, and is left out of HAProxy.
        @Test func aHostileNameIsLoggedAsText() async throws {
            let demo = try await DemoInstance(nodes: 1)
            var options = SerfAgent.Options()
            options.join = [demo.endpoints.gossip]
            options.tags = ["role": "backend", "port": "1"]
            let agent = try SerfAgent("evil\u{1B}]0;pwned\u{07}\nFAKE error: haproxy is down", options)
            try await agent.waitUntilReady()
            let logFile = demo.endpoints.directory + "/logs/balancer.log"
            let escaped = #"evil\e]0;pwned\u{7}\nFAKE error: haproxy is down"#
            do {
                try await eventually("the balancer to log the member", timeout: 15) {
                    let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
                    return log.contains("member-join: ") && log.contains(escaped) && log.contains("backend left out")
                }
            } catch {
                Issue.record("\(error): \(((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").suffix(3000))")
            }
            let log = try String(contentsOfFile: logFile, encoding: .utf8)
            #expect(!log.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" }, "\(log.suffix(2000).debugDescription)")
            #expect(!log.split(separator: "\n").contains { $0.hasPrefix("FAKE") }, "\(log.suffix(2000).debugDescription)")
            #expect(try !demo.configuredServers().contains { $0.contains("evil") || $0.contains("FAKE") })
        }

        /// A server option HAProxy 2.6 does not take at run time (`cookie`)
        /// costs a reload instead, and the log says why.
        @Test func anOptionRefusedAtRunTimeFallsBackToAReloadAndSaysWhy() async throws {
            let demo = try await DemoInstance(nodes: 1)
            let template = try String(contentsOfFile: demo.endpoints.template, encoding: .utf8)
            let withCookie = template.replacingOccurrences(of: "    server {{name}} {{endpoint}}\n",
                                                           with: "    server {{name}} {{endpoint}} cookie {{name}}\n")
            #expect(withCookie != template)
            try withCookie.write(toFile: demo.endpoints.template, atomically: true, encoding: .utf8)
            let web1 = demo.endpoints.nodes[0]
            try await eventually("the edited template installed", timeout: 10) {
                try String(contentsOfFile: demo.endpoints.config, encoding: .utf8).contains("cookie \(web1)")
            }
            try await eventually("its reload", timeout: 10) { (try? await master(demo).processes().reloads) == 1 }

            let app = try WebApp("cookied")
            defer { app.stop() }
            try await app.waitUntilServing()
            try app.join(demo.endpoints.gossip)
            try await eventually("cookied served", timeout: 15) { await demo.serves("cookied") }
            try await eventually("the fallback reload", timeout: 10) { (try? await master(demo).processes().reloads) == 2 }
            let log = try String(contentsOfFile: demo.endpoints.directory + "/logs/balancer.log", encoding: .utf8)
            #expect(log.contains("did not take the change") && log.contains("'cookie' option is not accepted"), "\(log.suffix(2000))")
            try await eventually("the reloads counted", timeout: 5) {
                await demo.metric(#"serftop_balancer_applies_total{result="reloaded"}"#) == 2
            }
        }

        @Test func aKilledWebAppLeavesTheConfigAfterTheFailureTimeout() async throws {
            let demo = try await DemoInstance(nodes: 1)
            let app = try WebApp("doomed")
            try await app.waitUntilServing()
            try app.join(demo.endpoints.gossip)
            try await eventually("doomed in the config") { try demo.configuredServers().contains("doomed") }
            app.crash()
            try await eventually("doomed to leave the config", timeout: 45, every: 0.2) {
                try !demo.configuredServers().contains("doomed")
            }
            #expect(try demo.configuredServers() == demo.endpoints.nodes)
            #expect(await demo.siteHost() == demo.endpoints.nodes[0])
        }

        @Test func aBurstOfTwentyJoinsAndLeavesGivesFewReloadsAndTheExactAliveSet() async throws {
            let demo = try await DemoInstance(nodes: 1)
            // After a calm spell, so that the burst's first join is applied at
            // once and the rest batched: the case that costs most reloads.
            try await Task.sleep(for: .seconds(2.5))
            let before = try await master(demo).processes().reloads
            var agents: [SerfAgent] = []
            for i in 0 ..< 20 {
                var o = SerfAgent.Options()
                o.tags = ["role": "backend", "port": "\(FreePort.next())"]
                o.join = [demo.endpoints.gossip]
                agents.append(try SerfAgent("burst\(i)", o))
            }
            let expected = Set(demo.endpoints.nodes + agents.map(\.name))
            try await eventually("all 21 servers in the config", timeout: 30, every: 0.1) {
                Set(try demo.configuredServers()) == expected
            }
            try await Task.sleep(for: .seconds(1))
            let afterJoins = try await master(demo).processes().reloads
            // All at once: SIGINT makes each agent leave gracefully.
            for a in agents { kill(a.daemon.pid, SIGINT) }
            do {
                try await eventually("the config back to the demo's own node", timeout: 60, every: 0.2) {
                    try demo.configuredServers() == demo.endpoints.nodes
                }
            } catch {
                let balancerLog = (try? String(contentsOfFile: demo.endpoints.directory + "/logs/balancer.log", encoding: .utf8)) ?? ""
                Issue.record("still configured: \(try demo.configuredServers())\nbalancer:\n\(balancerLog.suffix(3000))")
                throw error
            }
            try await Task.sleep(for: .seconds(1))
            let afterLeaves = try await master(demo).processes().reloads
            let balancerLog = (try? String(contentsOfFile: demo.endpoints.directory + "/logs/balancer.log", encoding: .utf8)) ?? ""
            print(balancerLog.split(separator: "\n").filter { $0.contains("membership changed") }.joined(separator: "\n"))
            print("burst: 20 joins → \(afterJoins - before) reload(s); 20 leaves → \(afterLeaves - afterJoins) reload(s)")
            #expect(afterJoins - before <= 3)
            #expect(afterLeaves - afterJoins <= 3)
            #expect(try await master(demo).processes().failedReloads == 0)
        }

        @Test func aBrokenTemplateKeepsTheOldConfigServingAndTheQuerySaysWhy() async throws {
            let demo = try await DemoInstance(nodes: 1)
            let good = try String(contentsOfFile: demo.endpoints.template, encoding: .utf8)
            let installed = try String(contentsOfFile: demo.endpoints.config, encoding: .utf8)

            try (good + "\n{{#servers}}\n").write(toFile: demo.endpoints.template, atomically: true, encoding: .utf8)
            let unclosed = try await demo.query("serftop-reload")
            #expect(unclosed.contains("error: template"), "\(unclosed)")
            #expect(unclosed.contains("never closed"), "\(unclosed)")

            try (good + "\n    this_is_not_a_keyword\n").write(toFile: demo.endpoints.template, atomically: true, encoding: .utf8)
            let invalid = try await demo.query("serftop-reload")
            #expect(invalid.contains("haproxy -c rejected"), "\(invalid)")
            #expect(invalid.contains("this_is_not_a_keyword"), "\(invalid)")

            #expect(try String(contentsOfFile: demo.endpoints.config, encoding: .utf8) == installed)
            #expect(await demo.siteHost() == demo.endpoints.nodes[0])

            try good.write(toFile: demo.endpoints.template, atomically: true, encoding: .utf8)
            let fixed = try await demo.query("serftop-reload")
            #expect(fixed.contains("reloaded: 1 server(s)"), "\(fixed)")
        }

        @Test func serverQueriesDrainAndReadyAndDrainSurvivesAReload() async throws {
            let demo = try await DemoInstance(nodes: 2)
            let web1 = demo.endpoints.nodes[0]
            let drained = try await demo.query("serftop-server", "drain \(web1)")
            #expect(drained.contains("\(web1): drain"), "\(drained)")
            try await eventually("\(web1) in DRAIN") { await serverStatus(demo, web1)?.hasPrefix("DRAIN") == true }

            let reloaded = try await demo.query("serftop-reload")
            #expect(reloaded.contains("reloaded: 2 server(s)"), "\(reloaded)")
            try await Task.sleep(for: .milliseconds(500))
            #expect(await serverStatus(demo, web1)?.hasPrefix("DRAIN") == true, "drain must survive a reload")

            let ready = try await demo.query("serftop-server", "ready \(web1)")
            #expect(ready.contains("\(web1): ready"), "\(ready)")
            try await eventually("\(web1) UP again") { await serverStatus(demo, web1) == "UP" }

            let wrong = try await demo.query("serftop-server", "drain nosuchnode")
            #expect(wrong.contains("error:"), "\(wrong)")
            let garbage = try await demo.query("serftop-server", "explode \(web1)")
            #expect(garbage.contains("error:") && garbage.contains("drain, ready or maint"), "\(garbage)")
        }

        /// A member named like a runtime API command is no server: the
        /// balancer leaves it out and says why, and a query naming it is
        /// refused; the others keep serving.
        @Test func aMemberWhoseNameIsSyntaxIsLeftOutAndRefused() async throws {
            let demo = try await DemoInstance(nodes: 1)
            let before = try demo.configuredServers()
            var o = SerfAgent.Options()
            o.tags = ["role": "backend", "port": "\(FreePort.next())"]
            o.join = [demo.endpoints.gossip]
            let hostile = try SerfAgent("zz;disable frontend site", o)
            try await hostile.waitUntilReady()
            let log = demo.endpoints.directory + "/logs/balancer.log"
            try await eventually("the balancer to say why it left the member out", timeout: 15) {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                return text.contains("backend left out: 'zz;disable frontend site' cannot be a HAProxy server name")
            }
            let reloaded = try await demo.query("serftop-reload")
            #expect(reloaded.contains("reloaded: 1 server(s)"), "\(reloaded)")
            #expect(try demo.configuredServers() == before)
            let refused = try await demo.query("serftop-server", "drain zz;disable")
            #expect(refused.contains("error:") && refused.contains("cannot be a HAProxy server name"), "\(refused)")
            #expect(await serverStatus(demo, demo.endpoints.nodes[0]) == "UP")
            #expect(await demo.siteHost() == demo.endpoints.nodes[0])
        }

        @Test func theDemoStopsEveryProcessItStarted() async throws {
            let demo = try await DemoInstance(nodes: 2)
            let children = try await demo.childPIDs()
            #expect(children.count >= 7, "ha agent, haproxy, balancer, 2 × (app + agent): \(children)")
            demo.stop()
            for pid in children { #expect(kill(pid, 0) != 0, "pid \(pid) is still running") }
            #expect(!FileManager.default.fileExists(atPath: demo.endpoints.directory))
        }

        @Test func aDeadHAProxyMasterIsReportedAtErrorLevelWithinFiveSeconds() async throws {
            let demo = try await DemoInstance(nodes: 1)
            let log = URL(fileURLWithPath: demo.endpoints.directory).appendingPathComponent("logs/balancer.log")
            let before = try await master(demo).processes()
            let masterPID = before.masterPID
            let killed = Date()
            kill(Int32(masterPID), SIGKILL)
            try await eventually("an error-level line about HAProxy", timeout: 5, every: 0.1) {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                return text.split(separator: "\n").contains { $0.contains("error") && $0.contains("HAProxy's master") }
            }
            print("dead haproxy master reported after \(String(format: "%.1f", Date().timeIntervalSince(killed))) s")
            // Rendering, checking and a reload that finds no master can
            // outlast 3 s on a busy machine: give the answer time, and ask
            // again once if none came.
            var reload = try await demo.query("serftop-reload", "", timeout: "10s")
            if !reload.contains("Response from") { reload = try await demo.query("serftop-reload", "", timeout: "10s") }
            #expect(reload.contains("(warning: HAProxy's master"), "the query answer says what is wrong: \(reload)")
            // The worker the master left behind (now init's child) may still serve: end it too.
            for pid in before.workers { kill(Int32(pid), SIGKILL) }
        }

        /// Only queries signed with the action key change HAProxy, each once.
        @Test func unsignedForgedAndReplayedQueriesAreRefused() async throws {
            let demo = try await DemoInstance(nodes: 1)
            let web1 = demo.endpoints.nodes[0]
            try await eventually("\(web1) UP before anything is sent") { await serverStatus(demo, web1) == "UP" }

            let unsigned = try await demo.query("serftop-server", "maint \(web1)", signed: false)
            #expect(unsigned.contains("not authorised") && unsigned.contains("not signed"), "\(unsigned)")
            let reload = try await master(demo).processes().reloads
            let unsignedReload = try await demo.query("serftop-reload", signed: false)
            #expect(unsignedReload.contains("not authorised"), "\(unsignedReload)")

            let wrongKey = TemporaryDirectory.shared.make("wrong-key").appendingPathComponent("key")
            try ActionKey.generate().write(to: wrongKey, atomically: true, encoding: .utf8)
            let forged = try await demo.query("serftop-server", "maint \(web1)", keyFile: wrongKey.path)
            #expect(forged.contains("signature does not match"), "\(forged)")

            // A signed query as it crossed the network, sent again as it was.
            let info = try await Tools.run("serf", ["info", "-rpc-addr=\(demo.endpoints.rpc)", "-format=json"])
            let stats = try JSONSerialization.jsonObject(with: Data(info.output.utf8)) as? [String: [String: String]]
            let queryTime = try #require(stats?["serf"]?["query_time"].flatMap { UInt64($0) })
            let key = try ActionKey(file: demo.endpoints.actionKey)
            let captured = String(decoding: key.sign(query: "serftop-server", payload: Array("drain \(web1)".utf8),
                                                     sender: "ops", ltime: queryTime), as: UTF8.self)
            let first = try await demo.query("serftop-server", captured, signed: false)
            #expect(first.contains("drain"), "\(first)")
            try await eventually("\(web1) in DRAIN") { await serverStatus(demo, web1) == "DRAIN" }
            _ = try await demo.query("serftop-server", "ready \(web1)")
            try await eventually("\(web1) UP again") { await serverStatus(demo, web1) == "UP" }
            let replayed = try await demo.query("serftop-server", captured, signed: false)
            #expect(replayed.contains("already carried out once"), "\(replayed)")
            // Signed for a query time the query did not go out at (the old
            // side of the window is in ActionSignatureTests: this cluster's
            // query clock is too young to be 64 behind).
            let misdated = String(decoding: key.sign(query: "serftop-server", payload: Array("maint \(web1)".utf8),
                                                     sender: "ops", ltime: queryTime + 1000), as: UTF8.self)
            let stale = try await demo.query("serftop-server", misdated, signed: false)
            #expect(stale.contains("signed at query time"), "\(stale)")

            #expect(await serverStatus(demo, web1) == "UP", "no refused query changed HAProxy")
            #expect(try await master(demo).processes().reloads == reload, "no refused reload happened")
            let signedReload = try await demo.query("serftop-reload")
            #expect(signedReload.contains("reloaded"), "\(signedReload)")
        }

        /// A child that dies is reported; the demo killed outright takes its
        /// children with it (the parent-death signal).
        @Test func theDemoReportsADeadChildAndItsChildrenDieWithIt() async throws {
            let demo = try await DemoInstance(nodes: 1)
            let children = try await demo.childPIDs()
            let app = try #require(children.first { pid in
                ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").hasPrefix("node")
            })
            kill(app, SIGKILL)
            try await eventually("the demo to report the dead web app", timeout: 5) {
                demo.daemon.log.contains("web1-app (pid \(app)) exited")
            }
            kill(demo.daemon.pid, SIGKILL)
            func gone(_ pid: Int32) -> Bool {
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
                return stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true
            }
            try await eventually("every child of the killed demo to end", timeout: 15, every: 0.2) {
                children.allSatisfy(gone)
            }
        }
    }
}
