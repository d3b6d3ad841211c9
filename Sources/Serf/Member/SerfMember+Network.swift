import Memberlist
import NIOCore
import NIOPosix

// The imperative shell: sockets in, sockets out. Everything here only moves
// bytes between the network and the pure `SerfNode`.
extension SerfMember {
    /// UDP and TCP on the same port, as memberlist requires. With port 0 the
    /// kernel picks the UDP port and TCP must get the same one, so retry a
    /// few times if it is taken for TCP.
    static func bindGossipPorts(host: String, port: Int, group: any EventLoopGroup) async throws -> (any Channel, any Channel, Inbox) {
        var lastError: (any Error)?
        for _ in 0 ..< (port == 0 ? 10 : 1) {
            // A fresh inbox per attempt: closing a failed attempt's channel
            // finishes its streams.
            let inbox = Inbox()
            let udp: any Channel
            do {
                udp = try await DatagramBootstrap(group: group)
                    .channelOption(.socketOption(.so_reuseaddr), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(DatagramForwarder(sink: inbox.datagramSink))
                        }
                    }
                    .bind(host: host, port: port).get()
            } catch {
                throw SerfMemberError.cannotBind("\(host):\(port) (UDP)", underlying: "\(error)")
            }
            let actual = udp.localAddress?.port ?? port
            do {
                let tcp = try await ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .serverChannelOption(.backlog, value: 128)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            // The reader must be in place before the first byte can arrive.
                            inbox.connectionSink.yield(try StreamReader(attachedTo: channel))
                        }
                    }
                    .bind(host: host, port: actual).get()
                return (udp, tcp, inbox)
            } catch {
                lastError = error
                try? await udp.close()
            }
        }
        throw SerfMemberError.cannotBind("\(host):\(port) (TCP)", underlying: "\(lastError.map { "\($0)" } ?? "unknown error")")
    }

    func attach(udp: any Channel, tcp: any Channel, inbox: Inbox) async {
        self.udp = udp
        self.tcp = tcp
        tasks.append(Task { [weak self] in
            for await envelope in inbox.datagrams {
                guard let self else { return }
                await self.receivePacket(Array(envelope.data.readableBytesView), from: envelope.remoteAddress)
            }
        })
        tasks.append(Task { [weak self] in
            for await reader in inbox.connections {
                guard let self else { return }
                let timeout = self.config.tcpTimeout
                Task { await self.serve(reader, timeout: timeout) }
            }
        })
        node.tick(now: now)
        flush()
        startTimers()
    }

    func receivePacket(_ bytes: [UInt8], from address: SocketAddress) {
        guard running, let source = Endpoint(address) else { return }
        do {
            let decoded = try packets.decode(bytes)
            node.receive(decoded, from: source, now: now)
            flush()
        } catch {
            noteDropped("packet from \(source): \(error)")
        }
    }

    func receiveStream(_ message: StreamMessage, from source: Endpoint) -> StreamMessage? {
        guard running else { return nil }
        let reply = node.receiveStream(message, from: source, now: now)
        flush()
        return reply
    }

    /// One inbound TCP exchange: read one message, answer, close.
    nonisolated func serve(_ reader: StreamReader, timeout: Duration) async {
        let channel = reader.channel
        let source = channel.remoteAddress.flatMap(Endpoint.init) ?? Endpoint(ip: [0, 0, 0, 0], port: 0)
        do {
            try await withTimeLimit(timeout, "a TCP exchange with \(source)") {
                let codec = await self.streams
                let message = try await reader.readMessage(codec: codec)
                if let reply = await self.receiveStream(message, from: source) {
                    try await channel.writeAndFlush(ByteBuffer(bytes: try codec.encode(reply))).get()
                }
            }
        } catch {
            await noteDropped("TCP stream from \(source): \(error)")
        }
        try? await channel.close()
    }

    /// One outbound TCP exchange: connect, send, read the single reply.
    nonisolated func exchange(_ message: StreamMessage, with endpoint: Endpoint, timeout: Duration) async throws -> StreamMessage {
        let codec = await streams
        let group = self.group
        return try await withTimeLimit(timeout, "a TCP exchange with \(endpoint)") {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + 1))
                .connect(to: try endpoint.socketAddress()).get()
            do {
                let reader = try await channel.eventLoop.submit { try StreamReader(attachedTo: channel) }.get()
                try await channel.writeAndFlush(ByteBuffer(bytes: try codec.encode(message))).get()
                let reply = try await reader.readMessage(codec: codec)
                try? await channel.close()
                return reply
            } catch {
                try? await channel.close()
                throw error
            }
        }
    }

    func perform(_ effect: MemberlistEffect) {
        switch effect {
        case .sendPacket(let to, let parts, let crc):
            guard let udp, let address = try? to.socketAddress() else { return }
            do {
                let bytes = try packets.encode(parts: parts, crc: crc)
                udp.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: bytes)), promise: nil)
            } catch {
                logger.warning("could not encode a packet for \(to): \(error)")
            }
        case .pushPull(let to, let join):
            let local = node.localPushPull(join: join, now: now)
            let timeout = config.tcpTimeout
            Task {
                do {
                    let reply = try await self.exchange(.pushPull(local), with: to, timeout: timeout)
                    await self.merge(reply, from: to)
                } catch {
                    await self.noteDropped("push/pull with \(to): \(error)")
                }
            }
        case .tcpPing(let to, let ping, let deadline):
            let timeout = max(deadline - now, .milliseconds(10))
            Task {
                let reply = try? await self.exchange(.ping(ping), with: to, timeout: timeout)
                var acked = false
                if case .ack(let ack)? = reply, ack.seqNo == ping.seqNo { acked = true }
                await self.tcpPingDone(seqNo: ping.seqNo, acked: acked)
            }
        }
    }

    func merge(_ reply: StreamMessage, from peer: Endpoint) {
        guard running else { return }
        switch reply {
        case .pushPull(let state):
            do {
                try node.mergeRemoteState(state, now: now)
            } catch {
                noteDropped("state from \(peer): \(error)")
            }
            flush()
        case .error(let e):
            noteDropped("\(peer) refused our state: \(e.error)")
        default:
            noteDropped("\(peer) answered a push/pull with something else")
        }
    }

    func tcpPingDone(seqNo: UInt32, acked: Bool) {
        guard running else { return }
        node.tcpPingCompleted(seqNo: seqNo, acked: acked, now: now)
        flush()
    }
}

/// Reads the bytes of one TCP connection until a whole stream message is in.
final class StreamReader: Sendable {
    let stream: AsyncThrowingStream<ByteBuffer, any Error>
    let channel: any Channel

    /// Call on the channel's event loop.
    init(attachedTo channel: any Channel) throws {
        self.channel = channel
        let (stream, sink) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
        self.stream = stream
        try channel.pipeline.syncOperations.addHandler(BytesToStream(sink: sink))
    }

    func readMessage(codec: StreamCodec) async throws -> StreamMessage {
        var decoder = codec.decoder()
        for try await chunk in stream {
            decoder.append(Array(chunk.readableBytesView))
            if let message = try decoder.next() { return message }
        }
        throw StreamClosedEarly()
    }
}

struct StreamClosedEarly: Error, CustomStringConvertible {
    var description: String { "the peer closed the connection before a whole message arrived" }
}

/// Where the socket handlers hand over what arrives, in order.
struct Inbox: Sendable {
    let datagrams: AsyncStream<AddressedEnvelope<ByteBuffer>>
    let datagramSink: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation
    let connections: AsyncStream<StreamReader>
    let connectionSink: AsyncStream<StreamReader>.Continuation

    init() {
        (datagrams, datagramSink) = AsyncStream.makeStream(of: AddressedEnvelope<ByteBuffer>.self,
                                                           bufferingPolicy: .bufferingNewest(4096))
        (connections, connectionSink) = AsyncStream.makeStream(of: StreamReader.self)
    }
}

final class DatagramForwarder: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let sink: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation
    init(sink: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation) { self.sink = sink }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { sink.yield(unwrapInboundIn(data)) }
    func channelInactive(context: ChannelHandlerContext) { sink.finish() }
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
