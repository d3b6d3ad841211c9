import Foundation
import HAProxy
import Testing
import TestSupport

extension DemoTopologyTests {
    /// `serftop demo --scenario tour --headless`: each step as it is printed,
    /// checked against the real cluster, not against what the demo says.
    @Suite(.serialized) struct DemoScenarioTests {
        func status(_ demo: DemoInstance, _ name: String) async -> String? {
            try? await RuntimeAPI(address: HAProxyAddress(demo.runtimeAPI)!).stats().servers
                .first { $0.proxy == "nodes" && $0.service == name }?.status?.raw
        }

        /// Waits for the step line that holds `text`; returns it.
        func step(_ demo: DemoInstance, _ text: String) async throws -> String {
            try await eventuallyValue("the tour's step '\(text)'", timeout: 60, every: 0.1) { () -> String? in
                demo.daemon.log.split(separator: "\n").first { $0.hasPrefix("step ") && $0.contains(text) }.map(String.init)
            }
        }

        func requests(_ demo: DemoInstance) async throws -> Int {
            let csv = try await Tools.run("curl", ["-sf", "--max-time", "2", demo.endpoints.stats + ";csv"]).output
            return csv.split(separator: "\n").filter { $0.hasPrefix("nodes,") && !$0.hasPrefix("nodes,BACKEND") }
                .compactMap { Int($0.split(separator: ",", omittingEmptySubsequences: false)[7]) }.reduce(0, +)
        }

        @Test(.timeLimit(.minutes(5))) func theTourDoesWhatEachStepSays() async throws {
            let demo = try await DemoInstance(nodes: 3, extra: ["--scenario", "tour", "--traffic", "20"])
            _ = try await step(demo, "add web4")
            try await eventually("web4 to be served through haproxy", timeout: 10, every: 0.1) {
                await demo.serves("web4")
            }
            _ = try await step(demo, "drain web1")
            try await eventually("web1 in DRAIN", timeout: 4, every: 0.1) { await status(demo, "web1") == "DRAIN" }
            _ = try await step(demo, "ready web1")
            try await eventually("web1 UP again", timeout: 4, every: 0.1) { await status(demo, "web1") == "UP" }
            _ = try await step(demo, "maint web3")
            try await eventually("web3 in MAINT", timeout: 4, every: 0.1) { await status(demo, "web3")?.hasPrefix("MAINT") == true }
            _ = try await step(demo, "stop web4 gracefully")
            try await eventually("web4 out of haproxy", timeout: 20, every: 0.2) { await status(demo, "web4") == nil }
            _ = try await step(demo, "kill web2")
            try await eventually("web2 failed in the balancer's agent", timeout: 30, every: 0.2) {
                let members = try await Tools.run("serf", ["members", "-rpc-addr=\(demo.endpoints.rpc)", "-name=^web2$"]).output
                return members.contains("failed")
            }
            let reload = try await step(demo, "reload the balancer")
            #expect(reload.contains("ha:") && !reload.contains("failed"), "\(reload)")
            try await eventually("the scenario to end", timeout: 40, every: 0.2) { demo.daemon.log.contains("scenario done") }
            let log = demo.daemon.log
            #expect(!log.contains(": failed:"), "\(log.suffix(3000))")
            // The same steps, in the same order, every time.
            let steps = log.split(separator: "\n").filter { $0.hasPrefix("step ") }
            let shipped = try await SerftopBinary.run(["demo", "--scenario", "tour", "--show-scenario"]).output
            let listed = shipped.split(separator: "\n").filter { $0.hasPrefix("- ") }.count
            #expect(listed > 10 && steps.count == listed, "\(steps.count) steps run of \(listed)")
            #expect(steps.map { $0.prefix { $0 != ":" } } == (1 ... listed).map { "step \($0)/\(listed)" })
            #expect(try await requests(demo) > 100)
            // The merged view a script reads says the traffic moves too.
            try await eventually("REQ/s above 0 in the snapshot", timeout: 20, every: 1) {
                let json = try await SerftopBinary.run(["snapshot", "--format", "json", "--join", demo.endpoints.gossip,
                                                        "--bind", "127.0.0.1:0"]).output
                let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
                let nodes = document?["nodes"] as? [[String: Any]] ?? []
                return nodes.contains { ($0["rate"] as? Int ?? 0) > 0 }
            }
        }

        /// scripts/record-tour: a 120x36 asciinema recording whose frames
        /// show the tour's milestones in the dashboard's event pane.
        @Test(.timeLimit(.minutes(5))) func theRecordingHoldsTheToursMilestones() async throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            let cast = TemporaryDirectory.shared.make("cast").appendingPathComponent("tour.cast")
            let result = try await Tools.run("env", ["SERFTOP=\(try SerftopBinary.path())",
                                                     root.appendingPathComponent("scripts/record-tour").path, cast.path])
            #expect(result.status == 0, "\(result.output)")
            let lines = try String(contentsOf: cast, encoding: .utf8).split(separator: "\n")
            let header = try JSONSerialization.jsonObject(with: Data(try #require(lines.first).utf8)) as? [String: Any]
            #expect(header?["width"] as? Int == 120 && header?["height"] as? Int == 36)
            // Each frame is [time, "o", text]; the screen's text is their concatenation.
            let screen = lines.dropFirst().compactMap { line -> String? in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any])?.last as? String
            }.joined()
            for milestone in ["add web4", "drain web1", "kill web2", "reload the balancer", "scenario done"] {
                #expect(screen.contains(milestone), "no '\(milestone)' in the recording")
            }
        }

        /// The node the tour adds shows as the balancer's reload in a
        /// dashboard that asked for nothing: it only joined the cluster.
        @Test(.timeLimit(.minutes(3))) func aNodeTheTourAddsShowsAsAReloadOnAnotherDashboard() async throws {
            let demo = try await DemoInstance(nodes: 3, extra: ["--scenario", "tour"])
            defer { demo.stop() }
            let watcher = try await TmuxSession(
                "\(try SerftopBinary.path()) --join \(demo.endpoints.gossip) --bind 127.0.0.1:0 --node watcher --read-only --refresh 0.5",
                width: 140, height: 40, environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
            defer { watcher.kill() }
            _ = try await step(demo, "add web4")
            let screen = try await watcher.waitFor("the balancer's reload for web4", timeout: 30) {
                $0.contains("balancer ha updated, no reload: ") && $0.contains("+web4")
            }
            #expect(!screen.contains("unreadable announcement"), "\(screen)")
        }

        @Test func aBrokenScenarioStopsTheDemoWithItsLine() async throws {
            let file = TemporaryDirectory.shared.make("scenario").appendingPathComponent("broken.yaml")
            try "- add: web4\n- after: 2\n  explode: web1\n".write(to: file, atomically: true, encoding: .utf8)
            let result = try await SerftopBinary.run(["demo", "--headless", "--scenario", file.path])
            #expect(result.status != 0)
            #expect(result.output.contains("broken.yaml:2: unknown step 'explode'"), "\(result.output)")
        }
    }
}
