import Foundation
import Memberlist
import Serf
import Testing
import TestSupport

/// `serf keys` rotating the cluster's key while our member runs from a
/// keyring file: the file follows, as an agent's own does, so a restart with
/// it joins the rotated cluster.
@Suite struct KeyRotationTests {
    @Test func theKeyringFileFollowsARotation() async throws {
        let old = SerfAgent.makeKey(), new = SerfAgent.makeKey()
        let agents = try await SerfAgent.cluster(2, prefix: "rotate") { _ in
            var o = SerfAgent.Options()
            o.encryptKey = old
            return o
        }
        let file = TemporaryDirectory.shared.make("keyring").appendingPathComponent("keyring.json")
        try JSONSerialization.data(withJSONObject: [old]).write(to: file)

        var config = SerfMemberConfig(nodeName: "rotating-observer", tags: ["role": "observer"])
        config.bindHost = "127.0.0.1"
        config.bindPort = 0
        config.keys = try Keyring.load(file: file.path).keys
        config.keyringFile = file.path
        let member = try await SerfMember.start(config)
        _ = try await member.join([agents[0].gossipAddress])
        try await eventually("the agents to list the observer") { await agents[1].status(of: "rotating-observer") == "alive" }

        for step in [["-install", new], ["-use", new], ["-remove", old]] {
            // serf keys fails the step if any member answers late; on a busy
            // machine that can be us, and the step is safe to repeat.
            var result = try await agents[0].serf("keys", step)
            for _ in 0 ..< 2 where result.status != 0 { result = try await agents[0].serf("keys", step) }
            #expect(result.status == 0, "serf keys \(step[0]): \(result.output)")
        }
        let saved = try Keyring.load(file: file.path)
        #expect(saved.keys == [try Keyring.decodeKey(new)], "the file holds the new key alone")
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try await member.leave()

        let restarted = try await SerftopBinary.run(["members", "--keyring-file", file.path, "--bind", "127.0.0.1:0",
                                                     "--join", agents[1].gossipAddress])
        #expect(restarted.status == 0, "\(restarted.output)")
        #expect(restarted.output.contains("rotate0") && restarted.output.contains("rotate1"), "\(restarted.output)")
    }
}
