#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ConnectionErrors
import Memberlist
import NIOCore
import NIOPosix

/// The gossip UDP socket. NIO reads it; sends go out through `sendto` on a
/// descriptor of our own for the same socket.
///
/// NIO's datagram channel closes itself on a send error other than
/// EMSGSIZE and EHOSTUNREACH, so one packet to port 0 or a link going down
/// (ENETUNREACH) would take the member off the network for good. A
/// gossip member must treat a failed send as a lost packet, as memberlist
/// does: counted and logged, never fatal. Sending on a descriptor NIO does
/// not own keeps every send error away from the channel.
final class GossipSocket: Sendable {
    let channel: any Channel
    let port: Int
    let isIPv6: Bool
    /// A duplicate of the channel's descriptor: the same socket, closed by us.
    private let sendDescriptor: Int32

    private init(channel: any Channel, port: Int, isIPv6: Bool, sendDescriptor: Int32) {
        self.channel = channel
        self.port = port
        self.isIPv6 = isIPv6
        self.sendDescriptor = sendDescriptor
    }

    /// Binds `host:port` (port 0: the kernel picks) on `loop`, where `onRead`
    /// and `onClose` are called.
    static func bind(host: String, port: Int, loop: any EventLoop,
                     onRead: @escaping @Sendable (AddressedEnvelope<ByteBuffer>) -> Void,
                     onClose: @escaping @Sendable () -> Void) async throws -> GossipSocket {
        let (fd, isIPv6) = try openBoundSocket(host: host, port: port)
        let sender = dup(fd)
        guard sender >= 0 else {
            let e = errno
            closeDescriptor(fd)
            throw SocketFailure(call: "dup", errno: e)
        }
        do {
            let channel = try await DatagramBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DatagramReader(onRead: onRead, onClose: onClose))
                    }
                }
                .withBoundSocket(fd).get()
            return GossipSocket(channel: channel, port: channel.localAddress?.port ?? port, isIPv6: isIPv6,
                                sendDescriptor: sender)
        } catch {
            closeDescriptor(sender)
            throw error
        }
    }

    /// Sends one datagram without blocking. Returns the errno of a send the
    /// kernel refused (a full buffer is EAGAIN); nil when it went out.
    func send(_ bytes: [UInt8], to endpoint: Endpoint) -> Int32? {
        // A dual-stack socket reaches IPv4 peers at their IPv4-mapped address.
        let target = isIPv6 && endpoint.isIPv4
            ? Endpoint(unfolded: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] + endpoint.ip, port: endpoint.port) : endpoint
        let result: Int = bytes.withUnsafeBytes { buffer in
            target.withSockAddr { address, length in
                sendto(sendDescriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), address, length)
            }
        }
        return result < 0 ? errno : nil
    }

    /// Closes our descriptor and the channel's: the socket is gone after this.
    func close() async {
        closeDescriptor(sendDescriptor)
        try? await channel.close()
    }

    /// socket(), SO_REUSEADDR, a 2 MiB receive buffer (as memberlist asks
    /// for, so that a burst of junk does not crowd out the pings), bind().
    private static func openBoundSocket(host: String, port: Int) throws -> (Int32, isIPv6: Bool) {
        guard let local = Endpoint(parsing: host, port: UInt16(clamping: port)) else {
            throw SerfMemberError.badAddress(host)
        }
        let fd = socket(local.isIPv4 ? AF_INET : AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw SocketFailure(call: "socket", errno: errno) }
        var on: Int32 = 1
        var buffer: Int32 = 2 << 20
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let bound = local.withSockAddr { bindDescriptor(fd, $0, $1) }
        guard bound == 0 else {
            let e = errno
            closeDescriptor(fd)
            throw SocketFailure(call: "bind", errno: e)
        }
        return (fd, !local.isIPv4)
    }
}

private func closeDescriptor(_ fd: Int32) { _ = close(fd) }
private func bindDescriptor(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    bind(fd, address, length)
}

/// A system call that failed, with its errno: classified by number, never by
/// the words of a message.
struct SocketFailure: ErrnoCarrying, CustomStringConvertible {
    let call: String
    let errno: Int32
    var errnoCode: Int32 { errno }
    var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// Hands every datagram to the member; says when the channel is gone.
final class DatagramReader: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let onRead: @Sendable (AddressedEnvelope<ByteBuffer>) -> Void
    let onClose: @Sendable () -> Void

    init(onRead: @escaping @Sendable (AddressedEnvelope<ByteBuffer>) -> Void, onClose: @escaping @Sendable () -> Void) {
        self.onRead = onRead
        self.onClose = onClose
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { onRead(unwrapInboundIn(data)) }
    func channelInactive(context: ChannelHandlerContext) { onClose() }
    /// Read errors that NIO does not close for (ECONNREFUSED after an
    /// earlier send) are noise for a gossip socket.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}

extension Endpoint {
    /// An address exactly as given, IPv4-mapped IPv6 included.
    init(unfolded ip: [UInt8], port: UInt16) {
        self.init(ip: [0], port: port)
        self.ip = ip
    }

    /// An IPv4 or IPv6 literal.
    init?(parsing host: String, port: UInt16) {
        if let v4 = Endpoint(ipv4: host, port: port) {
            self = v4
        } else if let v6 = parseIPv6(host) {
            self.init(ip: v6, port: port)
        } else {
            return nil
        }
    }

    /// Calls `body` with this address as a `sockaddr`.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        if ip.count == 4 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: ip) }
            return withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: ip.prefix(16)) }
        return withUnsafePointer(to: &sin6) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
    }
}
