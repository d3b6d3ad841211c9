import ConnectionErrors
import NIOCore
import NIOPosix

/// One command on a HAProxy CLI socket (runtime API or master CLI): connect,
/// send a line, read until HAProxy closes the connection.
public enum SocketCommand {
    public static func send(_ command: String, to address: HAProxyAddress, timeout: Duration = .seconds(5),
                            limit: Int = maxAnswer,
                            group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> String {
        // The last line of defence: HAProxy runs every command of a line
        // split by ';', and a newline starts the next one. Names are checked
        // long before (HAProxyName); a line that still holds either is a bug.
        if let bad = command.unicodeScalars.first(where: { $0 == ";" || $0.properties.generalCategory == .control }) {
            throw HAProxyError.refused("refusing to send \(HAProxyName.quoted(command)) to \(address): it holds \(HAProxyName.describe(bad)), which would make it more than one command")
        }
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connectTimeout(TimeAmount(timeout))
        let initializer: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel(wrappingChannelSynchronously: channel,
                                    configuration: .init(isOutboundHalfClosureEnabled: true))
            }
        }
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            switch address {
            case .tcp(let host, let port): channel = try await bootstrap.connect(host: host, port: port, channelInitializer: initializer)
            case .unix(let path): channel = try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: initializer)
            }
        } catch {
            throw HAProxyError.unreachable(what: "the HAProxy socket", address: address.description, reason: describe(error))
        }
        return try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(ByteBuffer(string: command + "\n"))
                    // The master CLI answers once it sees the end of our input.
                    outbound.finish()
                    var out = ByteBuffer()
                    for try await var chunk in inbound {
                        guard out.readableBytes + chunk.readableBytes <= limit else {
                            throw HAProxyError.refused("\(address) answered '\(command)' with more than \(limit) bytes; not read further")
                        }
                        out.writeBuffer(&chunk)
                    }
                    return String(buffer: out)
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw HAProxyError.timedOut(what: "'\(command)' on \(address)", after: timeout)
            }
            defer {
                group.cancelAll()
                channel.channel.close(promise: nil)
            }
            return try await group.next()!
        }
    }

    /// More than any answer HAProxy gives (`show stat` of 10,000 servers is
    /// a few MiB): whatever answers beyond it is not HAProxy.
    public static let maxAnswer = 64 << 20

    static func describe(_ error: any Error) -> String {
        let failure = ConnectionFailure(error)
        return failure == .permissionDenied ? "permission denied (run as the socket's owner, or root)" : "\(failure)"
    }
}
