import Foundation
import MessagePack
@testable import Memberlist
@testable import Serf
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The native member on loopback against input no honest peer sends: it
/// keeps its socket, answers pings, and holds no more than its limits.
@Suite(.serialized) struct HostileInputTests {
    func member(_ name: String) async throws -> SerfMember {
        var config = SerfMemberConfig(nodeName: name, tags: ["role": "observer"])
        config.bindHost = "127.0.0.1"
        config.bindPort = 0
        config.tcpTimeout = .seconds(2)
        return try await SerfMember.start(config)
    }

    @Test func anIndirectPingToPortZeroCostsOnlyThatPacket() async throws {
        let m = try await member("target-port-zero")
        defer { Task { await m.shutdown() } }
        let udp = try LoopbackUDP()
        // The 15 bytes that used to close the socket: an indirect ping whose target has no port.
        let portless = hex("0181a6546172676574c4047f000001")
        udp.send(portless, to: m.advertise.port)
        // And a compound packet of it beside a good ping.
        var answered = false
        for seq in UInt32(77) ... 79 where !answered {
            let ping = Message.ping(Ping(seqNo: seq, node: "", sourceAddr: nil, sourcePort: nil, sourceNode: nil)).encoded()
            udp.send(PacketCodec.compound([portless, ping]), to: m.advertise.port)
            answered = await udp.awaitAck(seqNo: seq)
        }
        #expect(answered, "the ping beside the bad part is answered")
        #expect(await udp.ping(m.advertise.port, seqNo: 80), "the member still answers pings")
        #expect(await m.rebinds == 0)
        #expect(await m.node.memberlist.counters.unusableAddresses >= 1)
    }

    @Test func sendsTheKernelRefusesAreCountedNotFatal() async throws {
        let m = try await member("refused-sends")
        defer { Task { await m.shutdown() } }
        // Peers that advertise addresses this host cannot send to: broadcast
        // (EACCES without SO_BROADCAST) and an IPv6 one on an IPv4 socket.
        let ghosts: [[UInt8]] = [[255, 255, 255, 254], [0xfe, 0x80] + [UInt8](repeating: 0, count: 13) + [1]]
        for (i, ip) in ghosts.enumerated() {
            let alive = Alive(incarnation: 1, node: "ghost\(i)", addr: ip, port: 7946, meta: [],
                              vsn: [1, 5, 2, 2, 5, 5])
            try LoopbackUDP().send(Message.alive(alive).encoded(), to: m.advertise.port)
        }
        try await eventually("the member to try the ghosts and fail", timeout: 15) {
            await m.sendFailures.count > 0
        }
        #expect(try await LoopbackUDP().ping(m.advertise.port, seqNo: 5))
        #expect(await m.rebinds == 0)
    }

    @Test func aClosedSocketIsOpenedAgainOnTheSamePort() async throws {
        let m = try await member("rebinds")
        defer { Task { await m.shutdown() } }
        var notices = try await m.events().makeAsyncIterator()
        let port = m.advertise.port
        try await #require(await m.socket).channel.close()
        try await eventually("the member to listen again") { await m.rebinds == 1 }
        #expect(try await LoopbackUDP().ping(port, seqNo: 9))
        let event = try await notices.next()
        guard case .notice(let text)? = event else {
            Issue.record("expected a notice, got \(String(describing: event))")
            return
        }
        #expect(text.contains("listening again"))
    }

    @Test func aStreamAnnouncingTwoGigabytesIsRefusedAtItsHeader() async throws {
        let m = try await member("big-header")
        defer { Task { await m.shutdown() } }
        let tcp = try LoopbackTCP(port: m.advertise.port)
        // push/pull type, a header map, then a node state that is a bin32 of 2 GiB.
        var header = MessagePackWriter(profile: .gossip)
        header.writeMapHeader(3)
        header.write("Join"); header.write(false)
        header.write("Nodes"); header.write(Int64(1))
        header.write("UserStateLen"); header.write(Int64(0))
        let opening = [MessageType.pushPull.rawValue] + header.bytes + [0xc6, 0x80, 0x00, 0x00, 0x00]
        let sent = await offThePool { () -> Int in
            tcp.send(opening)
            var sent = 0
            let junk = [UInt8](repeating: 0x5a, count: 64 << 10)
            while sent < 64 << 20, tcp.send(junk) { sent += junk.count }
            return sent
        }
        #expect(sent < 32 << 20, "the member closed the stream instead of reading \(sent) bytes")
        // Refused at the header, not at the 2 s deadline of a stalled stream.
        try await eventually("the stream to be closed", timeout: 0.5, every: 0.02) { await m.limits.inUse.streams == 0 }
        #expect(await m.limits.inUse.bytes == 0)
        #expect(try await LoopbackUDP().ping(m.advertise.port, seqNo: 3))
    }

    @Test func manyGarbageStreamsAreBoundedAndTheMemberStillServes() async throws {
        let m = try await member("many-streams")
        defer { Task { await m.shutdown() } }
        // 100 peers that start a push/pull and then stall: the member serves
        // at most its limit at once and closes each at its deadline.
        var header = MessagePackWriter(profile: .gossip)
        header.writeMapHeader(3)
        header.write("Join"); header.write(false)
        header.write("Nodes"); header.write(Int64(50_000))
        header.write("UserStateLen"); header.write(Int64(0))
        let streams = try (0 ..< 100).map { _ in try LoopbackTCP(port: m.advertise.port) }
        let stall = [MessageType.pushPull.rawValue] + header.bytes + [UInt8](repeating: 0x80, count: 4096)
        await offThePool {
            for s in streams { _ = s.send(stall) }
        }
        try await eventually("the member to hold its streams") { await m.limits.inUse.streams > 0 }
        // Past the limit, connections are closed as they are accepted; the
        // ones admitted stay open until their deadline.
        let held = await m.limits.inUse
        #expect(held.streams <= m.limits.maxInbound)
        #expect(held.bytes <= m.limits.maxBufferedBytes)
        #expect(try await LoopbackUDP().ping(m.advertise.port, seqNo: 4))
        try await eventually("the stalled streams to be closed at their deadline", timeout: 8) {
            await m.limits.inUse.streams == 0
        }
        // And an honest push/pull is answered afterwards.
        let other = try await member("honest-peer")
        defer { Task { await other.shutdown() } }
        #expect(try await other.join(["127.0.0.1:\(m.advertise.port)"]) == 1)
    }
}

/// Runs blocking socket calls on a thread of their own: on Swift's pool
/// (two threads here) a blocked call starves the member under test, and
/// every other test in the process.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { c in Thread { c.resume(returning: body()) }.start() }
}

/// A UDP socket on 127.0.0.1 that speaks just enough memberlist to ping.
final class LoopbackUDP: @unchecked Sendable {
    let fd: Int32

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = Self.address(port: 0)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    }

    deinit { close(fd) }

    static func address(port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return addr
    }

    func send(_ bytes: [UInt8], to port: UInt16) {
        var addr = Self.address(port: port)
        _ = bytes.withUnsafeBytes { b in
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, b.baseAddress, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// Waits for an ack with `seqNo`; false after the receive timeout.
    func awaitAck(seqNo: UInt32) async -> Bool {
        await offThePool { self.blockingAwaitAck(seqNo: seqNo) }
    }

    private func blockingAwaitAck(seqNo: UInt32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { return false }
            let messages = (try? PacketCodec(keyring: nil).decodeEach(Array(buffer[..<n])).messages) ?? []
            if messages.contains(where: { if case .ack(let a) = $0 { return a.seqNo == seqNo } else { return false } }) {
                return true
            }
        }
    }

    /// Pings up to three times: one lost datagram on a loaded machine is
    /// UDP, not a dead member.
    func ping(_ port: UInt16, seqNo: UInt32) async -> Bool {
        for attempt in 0 ..< 3 {
            let seq = seqNo &+ UInt32(attempt) << 16
            send(Message.ping(Ping(seqNo: seq, node: "", sourceAddr: nil, sourcePort: nil, sourceNode: nil)).encoded(), to: port)
            if await awaitAck(seqNo: seq) { return true }
        }
        return false
    }
}

/// A TCP connection to 127.0.0.1 that writes whatever a test says.
final class LoopbackTCP: @unchecked Sendable {
    let fd: Int32

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = LoopbackUDP.address(port: port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(fd) }

    /// False once the peer has closed or reset the connection (or stalls for 2 s).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }
}

/// The pure core: an address from the wire that cannot be a destination
/// never becomes an effect.
@Suite struct UnusableAddressTests {
    @Test func anIndirectPingToPortZeroIsCountedAndNotRelayed() throws {
        let me = Endpoint(ip: [10, 0, 0, 1], port: 7946)
        var node = try SerfNode(memberlist: MemberlistConfig(name: "me", advertise: me),
                                serf: SerfConfig(nodeName: "me", tags: [:]), now: .zero, seed: 3)
        let request = IndirectPingRequest(seqNo: 1, target: [127, 0, 0, 1], port: 0, node: "", nack: true)
        let effects = node.receive([.indirectPing(request)], from: Endpoint(ip: [10, 0, 0, 2], port: 7946), now: .milliseconds(1)).effects
        #expect(effects.allSatisfy { $0.destination?.port != 0 }, "\(effects)")
        #expect(node.memberlist.counters.unusableAddresses == 1)
    }

    @Test func anAliveWithNoNameIsRefusedNotGossiped() throws {
        var node = try SerfNode(memberlist: MemberlistConfig(name: "me", advertise: Endpoint(ip: [10, 0, 0, 1], port: 7946)),
                                serf: SerfConfig(nodeName: "me", tags: [:]), now: .zero, seed: 4)
        let before = node.memberlist.counters.implausibleAlives
        let nameless = Alive(incarnation: 1, node: "", addr: [10, 0, 0, 9], port: 7946, meta: [], vsn: [1, 5, 2, 2, 5, 5])
        _ = node.receive([.alive(nameless)], from: Endpoint(ip: [10, 0, 0, 9], port: 7946), now: .milliseconds(1))
        #expect(node.members.allSatisfy { !$0.name.isEmpty })
        #expect(node.memberlist.counters.implausibleAlives == before + 1)
    }
}
