import Balancer
import Foundation
import Testing
import TestSupport

@Suite struct ConfigTemplateTests {
    static let repositoryTemplate = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Dockerfiles/ha/haproxy.cfg.mustache").path

    static let servers = [BackendServer(name: "s1", address: "192.168.42.11", port: 3000),
                          BackendServer(name: "s2", address: "192.168.42.22", port: 3001)]

    /// What the daemon gives every template (BalancerSettings.templateValues),
    /// with the values the images set on its command line.
    static func values(_ dir: URL) -> [String: String] {
        var settings = BalancerSettings(templatePath: repositoryTemplate, configPath: dir.appendingPathComponent("haproxy.cfg").path)
        settings.values = ["site_bind": "127.0.0.1:\(FreePort.next())", "stats_bind": "127.0.0.1:\(FreePort.next())",
                           "admin_socket": dir.appendingPathComponent("admin.sock").path, "admin_tcp": "127.0.0.1:\(FreePort.next())"]
        settings.stateFile = dir.appendingPathComponent("state").path
        return settings.templateValues
    }

    @Test func serversAndValuesAreRenderedUnescaped() throws {
        let t = try ConfigTemplate(text: "bind {{site}}\n{{#servers}}server {{name}} {{endpoint}}\n{{/servers}}# {{server_count}}\n")
        let out = t.render(servers: Self.servers, values: ["site": "*:80 <&>"])
        #expect(out == "bind *:80 <&>\nserver s1 192.168.42.11:3000\nserver s2 192.168.42.22:3001\n# 2\n")
    }

    @Test func aBrokenTemplateSaysWhereAndWhat() {
        do {
            _ = try ConfigTemplate(text: "global\n  x\n{{#servers}}\nserver {{name}}\n", path: "t.mustache")
            Issue.record("an unclosed section must not parse")
        } catch {
            let text = "\(error)"
            #expect(text.contains("t.mustache"))
            #expect(text.contains("never closed"), "\(text)")
        }
    }

    @Test func aMissingTemplateIsNamed() {
        #expect(throws: BalancerError.self) { try ConfigTemplate(path: "/nonexistent/haproxy.cfg.mustache") }
    }

    /// The template shipped in the images renders into a file real haproxy accepts.
    @Test func theRepositoryTemplatePassesHAProxysCheck() async throws {
        let dir = TemporaryDirectory.shared.make("template")
        let template = try ConfigTemplate(path: Self.repositoryTemplate)
        for servers in [[], Self.servers] {
            let installer = ConfigInstaller(configPath: dir.appendingPathComponent("haproxy.cfg").path)
            try await installer.install(template.render(servers: servers, values: Self.values(dir)))
            let installed = try #require(installer.current())
            #expect(installed.contains("# \(servers.count) server(s)"))
            for s in servers { #expect(installed.contains("server \(s.name) \(s.endpoint)")) }
        }
    }
}
