import Memberlist
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

// The imperative shell: sockets in, sockets out. Everything here only moves
// bytes between the network and the pure `SerfNode`.
extension SerfMember {
    /// UDP and TCP on the same port, as memberlist requires. With port 0 the
    /// kernel picks the UDP port and TCP must get the same one, so retry a
    /// few times if it is taken for TCP.
    static func bindGossipPorts(host: String, port: Int, loop: any EventLoop, group: any EventLoopGroup, codec: StreamCodec,
                                limits: StreamLimits, timeout: Duration) async throws -> (GossipSocket, any Channel, Inbox) {
        var lastError: (any Error)?
        for _ in 0 ..< (port == 0 ? 10 : 1) {
            // A fresh inbox per attempt: closing a failed attempt's channel
            // finishes its streams.
            let inbox = Inbox(codec: codec, loop: loop)
            let udp: GossipSocket
            do {
                udp = try await inbox.bindUDP(host: host, port: port)
            } catch {
                throw SerfMemberError.cannotBind("\(host):\(port) (UDP)", underlying: "\(error)")
            }
            do {
                let tcp = try await ServerBootstrap(group: loop, childGroup: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .serverChannelOption(.backlog, value: 128)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            guard limits.admit() else { throw StreamRefused.tooMany(limits.maxInbound) }
                            channel.closeFuture.whenComplete { _ in limits.leave() }
                            // The reader must be in place before the first byte can arrive.
                            let message = try channel.readOneMessage(codec: inbox.codec.withLockedValue { $0 }, limits: limits, within: timeout)
                            inbox.connection(InboundStream(channel: channel, message: message))
                        }
                    }
                    .bind(host: host, port: udp.port).get()
                return (udp, tcp, inbox)
            } catch {
                lastError = error
                await udp.close()
            }
        }
        throw SerfMemberError.cannotBind("\(host):\(port) (TCP)", underlying: "\(lastError.map { "\($0)" } ?? "unknown error")")
    }

    func attach(udp: GossipSocket, tcp: any Channel) {
        self.socket = udp
        self.tcp = tcp
        inbox.attach(self)
        running = true
        apply(node.tick(now: now))
    }

    /// The UDP socket is gone although we did not close it: listen again on
    /// the same port, retrying with back-off, and say so.
    func udpClosed() async {
        // A late word from a socket already replaced finds the current one open.
        guard running, let old = socket, !old.channel.isActive else { return }
        socket = nil
        await old.close()
        logger.error("gossip: the UDP socket on port \(old.port) closed; listening again")
        var pause = Duration.milliseconds(100)
        while running {
            do {
                let fresh = try await inbox.bindUDP(host: config.bindHost, port: old.port)
                guard running else { await fresh.close(); return }
                socket = fresh
                rebinds += 1
                let text = "gossip UDP socket on port \(old.port) was closed and is listening again"
                logger.warning("gossip: \(text)")
                for continuation in subscribers.values { continuation.yield(.notice(text)) }
                return
            } catch {
                logger.error("gossip: cannot listen on UDP port \(old.port) again: \(error); retrying in \(pause.formatted())")
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
        }
    }

    func receivePacket(_ bytes: [UInt8], from address: SocketAddress) {
        guard running, let source = Endpoint(address) else { return }
        do {
            let decoded = try packets.decodeEach(bytes)
            for failure in decoded.failures { noteDropped("part of a packet from \(source): \(failure)") }
            guard !decoded.messages.isEmpty else { return }
            apply(node.receive(decoded.messages, from: source, now: now))
        } catch {
            noteDropped("packet from \(source): \(error)")
        }
    }

    func receiveStream(_ message: StreamMessage, from source: Endpoint) -> StreamMessage? {
        guard running else { return nil }
        let (reply, step) = node.receiveStream(message, from: source, now: now)
        apply(step)
        return reply
    }

    /// One inbound TCP exchange: the message, our answer, close. The
    /// channel's deadline bounds all of it.
    nonisolated func serve(_ stream: InboundStream) async {
        let channel = stream.channel
        let source = channel.remoteAddress.flatMap(Endpoint.init) ?? Endpoint(ip: [0, 0, 0, 0], port: 0)
        do {
            let message = try await stream.message.get()
            if let reply = await self.receiveStream(message, from: source) {
                let codec = self.streams
                try await channel.writeAndFlush(ByteBuffer(bytes: try codec.encode(reply))).get()
            }
        } catch {
            await noteDropped("TCP stream from \(source): \(error)")
        }
        try? await channel.close()
    }

    /// One outbound TCP exchange with this member's codec and limits.
    nonisolated func exchange(_ message: StreamMessage, with endpoint: Endpoint, timeout: Duration) async throws -> StreamMessage {
        try await Self.exchange(message, with: endpoint, codec: streams, limits: limits, group: group, timeout: timeout)
    }

    /// One outbound TCP exchange: connect, send, read the single reply, all
    /// within `timeout`.
    static func exchange(_ message: StreamMessage, with endpoint: Endpoint, codec: StreamCodec, limits: StreamLimits,
                         group: any EventLoopGroup, timeout: Duration) async throws -> StreamMessage {
        guard endpoint.isUsableDestination else { throw SerfMemberError.badAddress("\(endpoint)") }
        let reply = NIOLockedValueBox<EventLoopFuture<StreamMessage>?>(nil)
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let message = try channel.readOneMessage(codec: codec, limits: limits, within: timeout)
                    reply.withLockedValue { $0 = message }
                }
            }
            .connect(to: try endpoint.socketAddress()).get()
        do {
            try await channel.writeAndFlush(ByteBuffer(bytes: try codec.encode(message))).get()
            guard let future = reply.withLockedValue({ $0 }) else { throw StreamClosedEarly() }
            let answer = try await future.get()
            try? await channel.close()
            return answer
        } catch {
            try? await channel.close()
            throw error
        }
    }

    func perform(_ effect: MemberlistEffect) {
        switch effect {
        case .sendPacket(let to, let parts, let crc):
            do {
                let bytes = try packets.encode(parts: parts, crc: crc)
                guard let socket else {
                    sendFailures.note("no UDP socket (being reopened)", to: to, now: now, logger: logger)
                    return
                }
                if let code = socket.send(bytes, to: to) {
                    sendFailures.note(errno: code, to: to, now: now, logger: logger)
                }
            } catch {
                logger.warning("could not encode a packet for \(to): \(error)")
            }
        case .pushPull(let to, let join):
            let local = node.localPushPull(join: join, now: now)
            let timeout = config.tcpTimeout
            Task {
                do {
                    let reply = try await self.exchange(.pushPull(local), with: to, timeout: timeout)
                    self.merge(reply, from: to)
                } catch {
                    self.noteDropped("push/pull with \(to): \(error)")
                }
            }
        case .tcpPing(let to, let ping, let deadline):
            let timeout = max(deadline - now, .milliseconds(10))
            Task {
                let reply = try? await self.exchange(.ping(ping), with: to, timeout: timeout)
                var acked = false
                if case .ack(let ack)? = reply, ack.seqNo == ping.seqNo { acked = true }
                self.tcpPingDone(seqNo: ping.seqNo, acked: acked)
            }
        }
    }

    func merge(_ reply: StreamMessage, from peer: Endpoint) {
        guard running else { return }
        switch reply {
        case .pushPull(let state):
            do {
                apply(try node.mergeRemoteState(state, now: now))
            } catch {
                noteDropped("state from \(peer): \(error)")
            }
        case .error(let e):
            noteDropped("\(peer) refused our state: \(e.error)")
        default:
            noteDropped("\(peer) answered a push/pull with something else")
        }
    }

    func tcpPingDone(seqNo: UInt32, acked: Bool) {
        guard running else { return }
        apply(node.tcpPingCompleted(seqNo: seqNo, acked: acked, now: now))
    }
}

/// An inbound TCP connection and the one message it is reading.
struct InboundStream: Sendable {
    let channel: any Channel
    let message: EventLoopFuture<StreamMessage>
}

/// Where the socket handlers hand over what arrives. Everything runs on the
/// member's loop: a datagram goes straight into the member, in the same
/// turn of the loop that read it.
final class Inbox: Sendable {
    let loop: any EventLoop
    /// The stream codec in force (it changes when the keyring does).
    let codec: NIOLockedValueBox<StreamCodec>
    /// Set once the member exists; until then what arrives is dropped, as
    /// nobody can know us yet.
    private let target = NIOLockedValueBox<WeakMember>(WeakMember())

    init(codec: StreamCodec, loop: any EventLoop) {
        self.codec = NIOLockedValueBox(codec)
        self.loop = loop
    }

    func attach(_ member: SerfMember) { target.withLockedValue { $0.member = member } }

    private var member: SerfMember? { target.withLockedValue { $0.member } }

    func datagram(_ envelope: AddressedEnvelope<ByteBuffer>) {
        member?.assumeIsolated { $0.receivePacket(Array(envelope.data.readableBytesView), from: envelope.remoteAddress) }
    }

    func connection(_ stream: InboundStream) {
        guard let member else { stream.channel.close(promise: nil); return }
        Task { await member.serve(stream) }
    }

    func udpClosed() {
        guard let member else { return }
        Task { await member.udpClosed() }
    }

    /// Binds the UDP socket on the member's loop, reading into this inbox.
    func bindUDP(host: String, port: Int) async throws -> GossipSocket {
        try await GossipSocket.bind(host: host, port: port, loop: loop,
                                    onRead: { [self] in datagram($0) }, onClose: { [self] in udpClosed() })
    }
}

struct WeakMember {
    weak var member: SerfMember?
}

extension Endpoint {
    init?(_ address: SocketAddress) {
        guard let port = address.port, let port16 = UInt16(exactly: port) else { return nil }
        switch address {
        case .v4(let a):
            self.init(ip: withUnsafeBytes(of: a.address.sin_addr.s_addr) { Array($0) }, port: port16)
        case .v6(let a):
            self.init(ip: withUnsafeBytes(of: a.address.sin6_addr) { Array($0) }, port: port16)
        default:
            return nil
        }
    }

    func socketAddress() throws -> SocketAddress {
        try SocketAddress(ipAddress: host, port: Int(port))
    }
}
