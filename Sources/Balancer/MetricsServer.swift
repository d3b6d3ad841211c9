import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP server for the daemon's own state: `/metrics` (Prometheus
/// text) and `/healthz` (200 when HAProxy and the agent are there, 503 and
/// why otherwise). GET and HEAD only; bodies are not read. It is meant for
/// loopback or a monitoring network: it says nothing secret and changes
/// nothing, but it is not a public endpoint.
public struct MetricsServer: Sendable {
    public struct Response: Sendable {
        public var status: HTTPResponseStatus
        public var contentType: String
        public var body: [UInt8]

        public init(status: HTTPResponseStatus, contentType: String = "text/plain; charset=utf-8", body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    public typealias Handler = @Sendable (_ path: String) async -> Response

    let channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    /// Where it listens (the port chosen when 0 was asked for).
    public let address: SocketAddress

    /// How many connections are served at once; more wait in the backlog.
    static let maxConnections = 16

    public static func bind(host: String, port: Int) async throws -> MetricsServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    // A client that goes quiet gives its place back.
                    try child.pipeline.syncOperations.addHandlers(IdleStateHandler(allTimeout: .seconds(30)), CloseWhenIdle())
                    try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        guard let address = channel.channel.localAddress else { throw ChannelError.inappropriateOperationForState }
        return MetricsServer(channel: channel, address: address)
    }

    /// Serves until cancelled.
    public func run(_ handler: @escaping Handler) async throws {
        let open = NIOLockedValueBox(0)
        try await channel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in inbound {
                    let admitted = open.withLockedValue { n in
                        guard n < Self.maxConnections else { return false }
                        n += 1
                        return true
                    }
                    guard admitted else {
                        // Over the limit: closed at once rather than held in memory.
                        try? await connection.channel.close()
                        continue
                    }
                    group.addTask {
                        defer { open.withLockedValue { $0 -= 1 } }
                        await Self.serve(connection, handler)
                    }
                }
            }
        }
    }

    static func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
                      _ handler: Handler) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            for try await part in inbound {
                switch part {
                case .head(let h): head = h
                case .body: continue
                case .end:
                    guard let h = head else { continue }
                    head = nil
                    let path = String(h.uri.prefix { $0 != "?" })
                    var response = h.method == .GET || h.method == .HEAD
                        ? await handler(path)
                        : Response(status: .methodNotAllowed, body: Array("GET or HEAD only\n".utf8))
                    if h.method == .HEAD { response.body = [] }
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: response.contentType)
                    headers.add(name: "Content-Length", value: "\(response.body.count)")
                    if !h.isKeepAlive { headers.add(name: "Connection", value: "close") }
                    try await outbound.write(.head(HTTPResponseHead(version: h.version, status: response.status, headers: headers)))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                    try await outbound.write(.end(nil))
                    if !h.isKeepAlive { return }
                }
            }
        }
    }
}

final class CloseWhenIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
