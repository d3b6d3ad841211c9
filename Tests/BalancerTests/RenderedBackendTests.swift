@testable import Balancer
import HAProxy
import Testing

@Suite struct RenderedBackendTests {
    let text = """
    global
        stats socket /run/a.sock level admin
    defaults
        mode http
        default-server inter 3s
    backend other
        default-server weight 7
        server x 10.0.0.9:80 backup
    backend nodes
        balance roundrobin
        cookie SERVERID insert indirect nocache dynamic
        default-server check inter 2s fall 2 rise 1
        # 2 server(s)
        server web1 10.0.0.1:3000
        server web2 10.0.0.2:3001 weight 50  # a comment
    frontend f
        bind :80
        server nope 1.2.3.4:5
    """

    @Test func theBackendsServersAndWhatARuntimeAddNeeds() throws {
        let b = RenderedBackend(text: text, backend: "nodes")
        #expect(b.servers == ["web1": ["10.0.0.1:3000"], "web2": ["10.0.0.2:3001", "weight", "50"]])
        #expect(b.dynamicCookie)
        let line = try #require(b.runtimeLine(for: "web2"))
        #expect(line.address == "10.0.0.2:3001")
        // The defaults section's first, the backend's next, the server's own last.
        #expect(line.options == ["inter", "3s", "check", "inter", "2s", "fall", "2", "rise", "1", "weight", "50"])
        #expect(b.runtimeLine(for: "x") == nil)
    }

    @Test func rendersThatDifferOnlyInServersShareTheirSkeleton() {
        let fewer = text.replacingOccurrences(of: "    server web2 10.0.0.2:3001 weight 50  # a comment\n", with: "")
            .replacingOccurrences(of: "# 2 server(s)", with: "# 1 server(s)")
        #expect(fewer != text)
        #expect(RenderedBackend(text: fewer, backend: "nodes").skeleton == RenderedBackend(text: text, backend: "nodes").skeleton)
    }

    @Test(arguments: [
        ("timeout", "    mode http", "    mode http\n    timeout server 51s"),
        ("another backend's server", "server x 10.0.0.9:80 backup", "server x 10.0.0.9:81 backup"),
        ("a frontend's line", "bind :80", "bind :81"),
        ("the backend's defaults", "default-server check inter 2s", "default-server check inter 3s"),
    ])
    func anyOtherChangeIsAChangeOfSkeleton(what: String, from: String, to: String) {
        let edited = text.replacingOccurrences(of: from, with: to)
        #expect(edited != text, "\(what)")
        #expect(RenderedBackend(text: edited, backend: "nodes").skeleton != RenderedBackend(text: text, backend: "nodes").skeleton, "\(what)")
    }

    @Test func aCookieWithoutDynamicIsNotDynamic() {
        let b = RenderedBackend(text: text.replacingOccurrences(of: " dynamic", with: ""), backend: "nodes")
        #expect(!b.dynamicCookie)
    }
}
