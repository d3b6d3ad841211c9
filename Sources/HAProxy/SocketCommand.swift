import ConnectionErrors
import NIOCore
import NIOPosix

/// One command on a HAProxy CLI socket (runtime API or master CLI): connect,
/// send a line, read until HAProxy closes the connection.
public enum SocketCommand {
    public static func send(_ command: String, to address: HAProxyAddress, timeout: Duration = .seconds(5),
                            group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> String {
        // The last line of defence: HAProxy runs every command of a line
        // split by ';', and a newline starts the next one. Names are checked
        // long before (HAProxyName); a line that still holds either is a bug.
        if let bad = command.unicodeScalars.first(where: { $0 == ";" || $0.properties.generalCategory == .control }) {
            throw HAProxyError.refused("refusing to send \(HAProxyName.quoted(command)) to \(address): it holds \(HAProxyName.describe(bad)), which would make it more than one command")
        }
        let (chunks, sink) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connectTimeout(TimeAmount(timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ChunkCollector(sink: sink)) }
            }
        let channel: any Channel
        do {
            switch address {
            case .tcp(let host, let port): channel = try await bootstrap.connect(host: host, port: port).get()
            case .unix(let path): channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            }
        } catch {
            throw HAProxyError.unreachable(what: "the HAProxy socket", address: address.description, reason: describe(error))
        }
        defer { channel.close(promise: nil) }
        try await channel.writeAndFlush(ByteBuffer(string: command + "\n")).get()
        // The master CLI answers once it sees the end of our input.
        try? await channel.close(mode: .output).get()
        return try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                var out = ByteBuffer()
                for try await var chunk in chunks { out.writeBuffer(&chunk) }
                return String(buffer: out)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw HAProxyError.timedOut(what: "'\(command)' on \(address)", after: timeout)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    static func describe(_ error: any Error) -> String {
        let failure = ConnectionFailure(error)
        return failure == .permissionDenied ? "permission denied (run as the socket's owner, or root)" : "\(failure)"
    }
}

final class ChunkCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let sink: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    init(sink: AsyncThrowingStream<ByteBuffer, any Error>.Continuation) { self.sink = sink }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { sink.yield(unwrapInboundIn(data)) }
    func channelInactive(context: ChannelHandlerContext) { sink.finish() }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        sink.finish(throwing: error)
        context.close(promise: nil)
    }
}
