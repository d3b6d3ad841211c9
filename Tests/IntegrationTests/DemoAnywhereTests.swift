import Foundation
import Testing
import TestSupport

extension DemoTopologyTests {
    /// The demo as someone meets it who copied the binary and nothing else.
    @Suite(.serialized) struct DemoAnywhereTests {
        @Test func aCopiedBinaryRunsTheDemoFromOutsideTheCheckout() async throws {
            let copy = TemporaryDirectory.shared.make("demo-anywhere").appendingPathComponent("serftop").path
            try FileManager.default.copyItem(atPath: try SerftopBinary.path(), toPath: copy)
            #expect(ProcessInfo.processInfo.environment["SERFTOP_ASSETS"] == nil, "the test must not name the assets")

            let demo = try await DemoInstance(nodes: 1, executable: copy, directory: URL(fileURLWithPath: "/tmp"))
            defer { demo.stop() }
            let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().path
            #expect(!demo.endpoints.template.hasPrefix(checkout))
            let served = try await eventuallyValue("web1 serving through haproxy", timeout: 30, every: 0.2) {
                await demo.siteHost()
            }
            #expect(served == "web1")
            let installed = try String(contentsOfFile: demo.endpoints.template, encoding: .utf8)
            let original = try String(contentsOfFile: checkout + "/Dockerfiles/ha/haproxy.cfg.mustache", encoding: .utf8)
            #expect(installed == original)
        }
    }
}
