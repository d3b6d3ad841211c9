import Foundation
import Serf
import Testing
import TestSupport

/// The native member against real `serf agent` 0.9.4 processes.
@Suite(.serialized) struct NativeMemberInteropTests {
    func observer(_ name: String = "observer-\(UInt16.random(in: 0 ... 9999))", keys: [[UInt8]] = [],
                  tags: [String: String] = ["role": "observer"]) async throws -> SerfMember {
        var config = SerfMemberConfig(nodeName: name, tags: tags)
        config.bindHost = "127.0.0.1"
        config.bindPort = 0
        config.keys = keys
        return try await SerfMember.start(config)
    }

    @Test func observerJoinsAndIsSeenAliveWithItsTags() async throws {
        let agents = try await SerfAgent.cluster(2) { _ in var o = SerfAgent.Options(); o.tags = ["role": "backend"]; return o }
        let me = try await observer("obs-join")
        _ = try await me.join([agents[1].gossipAddress])
        for agent in agents {
            try await eventually("\(agent.name) to list the observer alive") {
                let m = try agent.members()["obs-join"]
                return m?.status == "alive" && m?.tags == ["role": "observer"]
            }
        }
        let names = Set(try await me.members().filter { $0.status == .alive }.map(\.name))
        #expect(names == ["agent0", "agent1", "obs-join"])
        try await me.leave()
        try await eventually("agents to show the observer left", timeout: 2) {
            agents.allSatisfy { $0.status(of: "obs-join") == "left" }
        }
    }
}
