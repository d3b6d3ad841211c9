@testable import HAProxy
import Foundation
import Testing
import TestSupport

/// What a socket that only claims to be HAProxy's can do to a command: no
/// answer, or an endless one. Either ends with a clear error, in bounded
/// time and memory.
@Suite struct SocketCommandTests {
    func listener(_ what: String) async throws -> (Daemon, HAProxyAddress) {
        let port = FreePort.next()
        // -t: socat would otherwise close half a second after our end of input.
        let d = try Daemon("fake-haproxy", executable: "socat", arguments: ["-t", "60", "TCP-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork", what])
        try await eventually("socat to listen") {
            (try? await Tools.run("bash", ["-c", "exec 3<>/dev/tcp/127.0.0.1/\(port) && exec 3>&-"]).status) == 0
        }
        return (d, .tcp(host: "127.0.0.1", port: Int(port)))
    }

    /// The listener and the children it forked for connections.
    func stop(_ d: Daemon) {
        _ = try? Tools.runBlocking("pkill", ["-KILL", "-P", "\(d.pid)"])
        d.crash()
    }

    @Test func anEndlessAnswerIsCutAtTheBound() async throws {
        let (daemon, address) = try await listener("SYSTEM:cat /dev/zero")
        defer { stop(daemon) }
        do {
            // A small bound, so that reaching it is quick on a busy machine too.
            _ = try await SocketCommand.send("show stat", to: address, timeout: .seconds(20), limit: 1 << 20)
            Issue.record("an endless answer was taken whole")
        } catch let error as HAProxyError {
            #expect("\(error)".contains("more than 1048576 bytes"), "\(error)")
        }
    }

    @Test func noAnswerTimesOut() async throws {
        let (daemon, address) = try await listener("SYSTEM:exec sleep 15")
        defer { stop(daemon) }
        let start = ContinuousClock.now
        await #expect(throws: HAProxyError.self) {
            _ = try await SocketCommand.send("show info", to: address, timeout: .seconds(1))
        }
        // Before the fake's own end (15 s), however busy the machine.
        #expect(ContinuousClock.now - start < .seconds(14))
    }

    @Test func aSecondCommandInTheLineIsRefusedBeforeConnecting() async throws {
        let address = HAProxyAddress.tcp(host: "127.0.0.1", port: 9)
        for line in ["show info; shutdown sessions server nodes/web1", "show info\nshutdown frontend site"] {
            do {
                _ = try await SocketCommand.send(line, to: address, timeout: .seconds(1))
                Issue.record("sent \(line)")
            } catch {
                #expect("\(error)".contains("more than one command"), "\(error)")
            }
        }
    }
}
