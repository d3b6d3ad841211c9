@testable import HAProxy
import Foundation
import Testing
import TestSupport

/// What a socket that only claims to be HAProxy's can do to a command: no
/// answer, or an endless one. Either ends with a clear error, in bounded
/// time and memory.
@Suite struct SocketCommandTests {
    func listener(_ command: String) async throws -> (FakeServer, HAProxyAddress) {
        let fake = try await FakeServer(command)
        return (fake, .tcp(host: "127.0.0.1", port: Int(fake.port)))
    }

    @Test func anEndlessAnswerIsCutAtTheBound() async throws {
        let (fake, address) = try await listener("exec cat /dev/zero")
        defer { fake.stop() }
        do {
            // A small bound, so that reaching it is quick on a busy machine too.
            _ = try await SocketCommand.send("show stat", to: address, timeout: .seconds(20), limit: 1 << 20)
            Issue.record("an endless answer was taken whole")
        } catch let error as HAProxyError {
            #expect("\(error)".contains("more than 1048576 bytes"), "\(error)")
        }
    }

    @Test func noAnswerTimesOut() async throws {
        // The fake outlives any wait here: an answer that ends is its end,
        // never the timeout.
        let (fake, address) = try await listener("exec sleep 600")
        defer { fake.stop() }
        let start = ContinuousClock.now
        do {
            let answer = try await SocketCommand.send("show info", to: address, timeout: .seconds(1))
            Issue.record("a silent socket answered \(answer.debugDescription)")
        } catch HAProxyError.timedOut {
        } catch {
            Issue.record("not a timeout: \(error)")
        }
        // Generous: a busy machine delays the timer, never by minutes.
        #expect(ContinuousClock.now - start < .seconds(60))
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
