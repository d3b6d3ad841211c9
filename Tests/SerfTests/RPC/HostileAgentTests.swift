import Foundation
import Serf
import Testing
import TestSupport

/// Something on the agent's RPC port that is not an agent: the client fails
/// with a clear error in bounded memory, whatever it is sent.
@Suite struct HostileAgentTests {
    func fake(_ command: String) async throws -> (FakeServer, String) {
        let fake = try await FakeServer(command)
        return (fake, fake.address)
    }

    /// A string header that announces 2 GiB, then bytes without end: the
    /// client stops reading at its bound instead of buffering it all.
    @Test func aRecordThatNeverEndsIsCutAtTheBound() async throws {
        // In a file: socat's address syntax would eat the escapes of a printf.
        let header = TemporaryDirectory.shared.make("rpc").appendingPathComponent("str32")
        try Data([0xdb, 0x7f, 0xff, 0xff, 0xff]).write(to: header)
        let (fake, address) = try await fake("exec cat \(header.path) /dev/zero")
        defer { fake.stop() }
        do {
            // A small bound, so that reaching it is quick on a busy machine too.
            let client = try await SerfAgentClient.connect(address, timeout: .seconds(20), maxRecord: 1 << 20)
            _ = try await client.members()
            Issue.record("a never-ending record was taken for an answer")
        } catch {
            #expect("\(error)".contains("longer than 1048576 bytes"), "\(error)")
        }
    }

    /// Valid msgpack that is no reply (bare integers): refused at the first
    /// value, not parsed for ever.
    @Test func garbageIsRefusedAtTheFirstValue() async throws {
        let (fake, address) = try await fake("exec cat /dev/zero")
        defer { fake.stop() }
        let start = ContinuousClock.now
        do {
            let client = try await SerfAgentClient.connect(address, timeout: .seconds(2))
            _ = try await client.members()
            Issue.record("garbage was taken for an agent")
        } catch {
            #expect("\(error)".contains("without a sequence number"), "\(error)")
        }
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    /// A port that accepts and never answers: the handshake ends at its timeout.
    @Test func silenceEndsAtTheHandshakeTimeout() async throws {
        // The fake outlives any wait here: only the timeout can end it.
        let (fake, address) = try await fake("exec sleep 600")
        defer { fake.stop() }
        let start = ContinuousClock.now
        do {
            _ = try await SerfAgentClient.connect(address, timeout: .seconds(2))
            Issue.record("silence was taken for an agent")
        } catch {
            #expect("\(error)".contains("no answer to the RPC handshake within 2"), "\(error)")
        }
        // Generous: a busy machine delays the timer, never by minutes.
        #expect(ContinuousClock.now - start < .seconds(60))
    }
}
