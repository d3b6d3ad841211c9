import Foundation
import Testing
import TestSupport

/// The configuration file as the commands read it: a cluster chosen by name
/// reaches a real agent, and a broken file stops the command at its line.
@Suite struct ConfigFileEndToEndTests {
    static func write(_ text: String) throws -> String {
        let path = TemporaryDirectory.shared.make("config").appendingPathComponent("config.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func membersOfTheClusterNamedOnTheCommandLine() async throws {
        let agent = try SerfAgent("cfg-agent")
        try await agent.waitUntilReady()
        let path = try Self.write("""
        defaults:
          bind: 127.0.0.1:0
        clusters:
          elsewhere:
            join: 127.0.0.1:1
          lab:
            join: [\(agent.gossipAddress)]

        """)
        let lab = try await SerftopBinary.run(["members", "--config", path, "--cluster", "lab"])
        #expect(lab.status == 0, "\(lab.output)")
        #expect(lab.output.contains("cfg-agent"), "\(lab.output)")
        // A flag wins over the cluster.
        let flagged = try await SerftopBinary.run(["members", "--config", path, "--cluster", "elsewhere", "--join", agent.gossipAddress])
        #expect(flagged.status == 0 && flagged.output.contains("cfg-agent"), "\(flagged.output)")
    }

    @Test func aBrokenFileStopsTheCommandNamingFileAndLine() async throws {
        let path = try Self.write("clusters:\n  lab:\n    join: 127.0.0.1:1\n    read-only: maybe\n")
        let r = try await SerftopBinary.run(["members", "--config", path, "--cluster", "lab"])
        #expect(r.status != 0)
        #expect(r.output.contains("\(path):4: cluster 'lab': 'read-only' takes true or false, not 'maybe'"), "\(r.output)")
        let good = try Self.write("clusters:\n  lab:\n    join: 127.0.0.1:1\n")
        let unknown = try await SerftopBinary.run(["--config", good, "--cluster", "prod"])
        #expect(unknown.status != 0)
        #expect(unknown.output.contains("\(good): no cluster named 'prod' (known: lab)"), "\(unknown.output)")
        let secret = try Self.write("defaults:\n  stats-password: hunter2\n")
        let refused = try await SerftopBinary.run(["stats", "--config", secret])
        #expect(refused.status != 0 && refused.output.contains("\(secret):2:") && !refused.output.contains("hunter2"), "\(refused.output)")
    }
}
