import Foundation
import Testing
import TestSupport

extension DemoTopologyTests {
    /// `serftop snapshot` against the demo: what a script reads is what the
    /// dashboard shows for the same cluster.
    @Suite(.serialized) struct SnapshotCommandEndToEndTests {
        /// serftop's standard output alone.
        static func snapshot(_ arguments: [String]) async throws -> String {
            let command = ([try SerftopBinary.path(), "snapshot"] + arguments).map(shellQuote).joined(separator: " ")
            let result = try await Tools.run("sh", ["-c", command + " 2>/dev/null"])
            try #require(result.status == 0, "\(result.output)")
            return result.output
        }

        /// The node table's rows: name → line.
        static func rows(_ screen: String) -> [String: String] {
            let lines = screen.split(separator: "\n").map(String.init)
            guard let title = lines.firstIndex(where: { $0.hasPrefix(" NAME") }) else { return [:] }
            var out: [String: String] = [:]
            for line in lines[(title + 1)...] {
                guard line.hasPrefix(" "), let name = line.split(separator: " ").first else { break }
                out[String(name)] = line
            }
            return out
        }

        @Test func jsonListsWhatTheDashboardShows() async throws {
            let demo = try await DemoInstance(nodes: 2)
            defer { demo.stop() }
            let binary = try SerftopBinary.path()
            let tmux = try await TmuxSession("\(binary) --rpc \(demo.endpoints.rpc) --refresh 0.5",
                                             environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
            defer { tmux.kill() }
            // Settled: checked, and no longer on the way up ("UP 1/2").
            let screen = try await tmux.waitFor("every web app alive and UP", timeout: 60) { s in
                demo.endpoints.nodes.allSatisfy {
                    TmuxSession.line(s, startingWith: $0).map {
                        $0.contains("alive") && $0.contains(" UP ") && $0.contains("L7OK") && !$0.contains("/")
                    } ?? false
                }
            }
            let shown = Self.rows(screen)

            let json = try await Self.snapshot(["--format", "json", "--rpc", demo.endpoints.rpc])
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
            let nodes = try #require(document["nodes"] as? [[String: Any]])
            #expect(Set(nodes.compactMap { $0["name"] as? String }) == Set(shown.keys), "\(json)\n\(screen)")
            for node in nodes {
                let name = try #require(node["name"] as? String)
                let line = try #require(shown[name])
                let status = try #require(node["status"] as? String)
                #expect(line.contains(" \(status) "), "\(name): \(status) in '\(line)'")
                if let lb = node["lb"] as? String { #expect(line.contains(" \(lb) "), "\(name): \(lb) in '\(line)'") }
            }
            for web in demo.endpoints.nodes {
                let node = try #require(nodes.first { $0["name"] as? String == web })
                #expect(node["status"] as? String == "alive" && node["lb"] as? String == "UP", "\(node)")
                #expect((node["servers"] as? [[String: Any]])?.count == 1, "\(node)")
            }
            let balancers = try #require(document["balancers"] as? [[String: Any]])
            #expect(balancers.count == 1 && balancers[0]["reachable"] as? Bool == true, "\(balancers)")
            await tmux.send("q")
        }

        @Test func textIsTheScreenAtTheGivenSize() async throws {
            let demo = try await DemoInstance(nodes: 1)
            defer { demo.stop() }
            let text = try await Self.snapshot(["--format", "text", "--size", "100x30", "--rpc", demo.endpoints.rpc])
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == 30, "\(text)")
            #expect(lines.allSatisfy { $0.unicodeScalars.count <= 100 }, "\(text)")
            #expect(lines.contains { $0.hasPrefix(" NAME") } && Self.rows(text)[demo.endpoints.nodes[0]] != nil, "\(text)")

            let svg = try await Self.snapshot(["--format", "svg", "--size", "100x30", "--rpc", demo.endpoints.rpc])
            #expect(svg.hasPrefix("<?xml") && svg.contains("width=\"840\" height=\"510\""), "\(svg.prefix(300))")
        }
    }
}
