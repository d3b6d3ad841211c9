@testable import HAProxy
import Testing
import TestSupport

@Suite struct RuntimeServersTests {
    @Test func namesComeOnlyFromTheBackendsServerLines() {
        let text = """
        1
        # be_id be_name srv_id srv_name srv_addr srv_op_state
        3 nodes 1 web1 127.0.0.1 2 0 1 1 4 6 3 4 6 0 0 0 - 3000 - 0 0 - - 0
        3 nodes 2 web2 127.0.0.1 2 0 1 1 4 6 3 4 6 0 0 0 - 3001 - 0 0 - - 0
        4 other 1 x 127.0.0.1 2 0 1 1 4 6 3 4 6 0 0 0 - 80 - 0 0 - - 0
        Can't find backend.
        3 nodes web3
        """
        #expect(RuntimeServers.parseNames(text, backend: "nodes") == ["web1", "web2"])
        #expect(RuntimeServers.parseNames("Unknown command.\n", backend: "nodes").isEmpty)
    }

    /// Against a real haproxy 2.6: a server added at run time serves at once
    /// with its checks running, a refused option names itself, and a deleted
    /// server is gone.
    @Test func addAndDeleteInARunningHAProxy() async throws {
        let backends = try [HTTPBackend(), HTTPBackend()]
        for b in backends { try await b.waitUntilReady() }
        var options = HAProxyInstance.Options()
        options.servers = [.init("s1", port: backends[0].port)]
        let haproxy = try HAProxyInstance(options)
        try await haproxy.waitUntilReady()
        var api = RuntimeAPI(address: HAProxyAddress(haproxy.adminAddress)!)
        // The suite runs beside hundreds of others: a busy test process, not
        // HAProxy, is what a command may wait for here.
        api.timeout = .seconds(30)
        let servers = RuntimeServers(api: api, backend: "nodes")
        #expect(try await servers.names() == ["s1"])

        try await servers.add("s2", address: "127.0.0.1:\(backends[1].port)", options: ["check", "inter", "500ms", "weight", "5"],
                              dynamicCookie: false)
        #expect(try await servers.names() == ["s1", "s2"])
        let row = try await api.stats().servers.first { $0.service == "s2" }
        #expect(row?.status?.takesTraffic == true, "\(String(describing: row?.status))")
        #expect(row?.weight == 5)
        try await eventually("s2's check to pass") {
            try await api.stats().servers.first { $0.service == "s2" }?.checkStatus?.hasSuffix("OK") == true
        }

        // HAProxy 2.6 takes no cookie option at run time; it says so.
        let refused = await #expect(throws: RuntimeServers.Refused.self) {
            try await servers.add("s3", address: "127.0.0.1:1", options: ["cookie", "s3"], dynamicCookie: false)
        }
        #expect(refused?.answer.contains("cookie") == true, "\(String(describing: refused))")
        #expect(try await servers.names() == ["s1", "s2"])

        try await servers.delete("s2")
        #expect(try await servers.names() == ["s1"])
        await #expect(throws: RuntimeServers.Refused.self) { try await servers.delete("s2") }
    }
}
