import Balancer
import Foundation
import Testing
import TestSupport

@Suite struct ConfigInstallerTests {
    let good: String
    init() {
        good = "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nfrontend site\n    bind 127.0.0.1:\(FreePort.next())\n    default_backend nodes\nbackend nodes\n    server s1 127.0.0.1:3000\n"
    }

    @Test func anInvalidConfigurationIsNeverInstalled() async throws {
        let dir = TemporaryDirectory.shared.make("installer")
        let installer = ConfigInstaller(configPath: dir.appendingPathComponent("haproxy.cfg").path)
        try await installer.install(good)
        do {
            try await installer.install(good + "    server s2 127.0.0.1:notaport\n")
            Issue.record("haproxy -c should reject a bad port")
        } catch {
            #expect("\(error)".contains("haproxy -c rejected"))
            #expect("\(error)".contains("notaport") || "\(error)".contains("port"), "\(error)")
        }
        #expect(installer.current() == good)
        let rejected = try String(contentsOfFile: installer.rejectedPath, encoding: .utf8)
        #expect(rejected.contains("notaport"))
        #expect(!FileManager.default.fileExists(atPath: installer.configPath + ".new"))
    }

    @Test func aGoodConfigurationReplacesTheOldAndClearsTheRejectedOne() async throws {
        let dir = TemporaryDirectory.shared.make("installer")
        let installer = ConfigInstaller(configPath: dir.appendingPathComponent("haproxy.cfg").path)
        try? await installer.install("nonsense\n")
        #expect(FileManager.default.fileExists(atPath: installer.rejectedPath))
        try await installer.install(good)
        #expect(installer.current() == good)
        #expect(!FileManager.default.fileExists(atPath: installer.rejectedPath))
    }

    @Test func aConfigurationThatWouldNotStartIsRefusedWithHAProxysReason() async throws {
        let dir = TemporaryDirectory.shared.make("installer")
        let installer = ConfigInstaller(configPath: dir.appendingPathComponent("haproxy.cfg").path)
        await #expect(throws: BalancerError.self) { try await installer.install("defaults\n    mode http\n") }
        let problem = await installer.validate(installer.rejectedPath)
        #expect(problem?.contains("no listener") == true, "\(problem ?? "accepted")")
    }

    @Test func aMissingHAProxyIsSaid() async throws {
        let dir = TemporaryDirectory.shared.make("installer")
        let installer = ConfigInstaller(configPath: dir.appendingPathComponent("haproxy.cfg").path, haproxy: "/nonexistent/haproxy")
        await #expect(throws: BalancerError.self) { try await installer.install(good) }
        #expect(installer.current() == nil)
    }
}
