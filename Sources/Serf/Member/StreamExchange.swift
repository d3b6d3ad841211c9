import Memberlist
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// What peers may make us hold through TCP streams at once. memberlist caps
/// each message (20 MiB); a member that anyone can connect to must also cap
/// how many streams it serves and how many bytes they hold together, or a
/// hundred slow peers multiply the per-message cap.
final class StreamLimits: Sendable {
    let maxInbound: Int
    let maxBufferedBytes: Int
    private let state = NIOLockedValueBox((streams: 0, bytes: 0))

    init(maxInbound: Int = 32, maxBufferedBytes: Int = 16 << 20) {
        self.maxInbound = maxInbound
        self.maxBufferedBytes = maxBufferedBytes
    }

    /// Takes a slot for an inbound stream; false when all are in use.
    func admit() -> Bool {
        state.withLockedValue { s in
            guard s.streams < maxInbound else { return false }
            s.streams += 1
            return true
        }
    }

    func leave() { state.withLockedValue { $0.streams -= 1 } }

    /// Takes `n` bytes of the shared budget; false when that would pass it.
    func reserve(_ n: Int) -> Bool {
        state.withLockedValue { s in
            guard s.bytes + n <= maxBufferedBytes else { return false }
            s.bytes += n
            return true
        }
    }

    func release(_ n: Int) { state.withLockedValue { $0.bytes -= n } }

    var inUse: (streams: Int, bytes: Int) { state.withLockedValue { $0 } }
}

/// Reads one stream message on the event loop, as the bytes arrive: each
/// read is checked against the limits before it is kept, and the message is
/// handed over whole. Nothing queues between the socket and the decoder, so
/// a peer that sends faster than we parse cannot build a backlog.
final class StreamMessageReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var decoder: StreamDecoder
    private let limits: StreamLimits
    private let promise: EventLoopPromise<StreamMessage>
    private var held = 0
    private var finished = false

    init(codec: StreamCodec, limits: StreamLimits, promise: EventLoopPromise<StreamMessage>) {
        decoder = codec.decoder()
        self.limits = limits
        self.promise = promise
    }

    var message: EventLoopFuture<StreamMessage> { promise.futureResult }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        let chunk = unwrapInboundIn(data)
        guard limits.reserve(chunk.readableBytes) else {
            fail(StreamRefused.busy(limits.maxBufferedBytes), context: context)
            return
        }
        held += chunk.readableBytes
        do {
            try decoder.append(chunk.readableBytesView)
            if let message = try decoder.next() { finish(.success(message)) }
        } catch {
            fail(error, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(StreamClosedEarly()))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(StreamClosedEarly()))
    }

    /// Ends the exchange at its deadline, however far it got (a reply that
    /// the peer never reads holds the channel as long as a request would).
    func deadlinePassed(_ limit: Duration, context channel: any Channel) {
        finish(.failure(StreamRefused.tooSlow(limit)))
        channel.close(promise: nil)
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<StreamMessage, any Error>) {
        guard !finished else { return }
        finished = true
        limits.release(held)
        held = 0
        decoder = StreamDecoder(keyring: nil, limit: 0)
        promise.completeWith(result)
    }
}

/// Why a stream was cut off by us.
enum StreamRefused: Error, CustomStringConvertible {
    case busy(Int)
    case tooMany(Int)
    case tooSlow(Duration)

    var description: String {
        switch self {
        case .busy(let bytes): return "refused: streams in progress already hold \(bytes) bytes"
        case .tooMany(let n): return "refused: \(n) streams are already being served"
        case .tooSlow(let limit): return "no whole message within \(limit.formatted())"
        }
    }
}

struct StreamClosedEarly: Error, CustomStringConvertible {
    var description: String { "the peer closed the connection before a whole message arrived" }
}

extension Channel {
    /// Installs a reader for one message, with a deadline that closes the
    /// channel however far the exchange got. Call on the channel's event loop.
    func readOneMessage(codec: StreamCodec, limits: StreamLimits, within limit: Duration) throws -> EventLoopFuture<StreamMessage> {
        let reader = StreamMessageReader(codec: codec, limits: limits, promise: eventLoop.makePromise())
        try pipeline.syncOperations.addHandler(reader)
        let bound = NIOLoopBound(reader, eventLoop: eventLoop)
        let deadline = eventLoop.scheduleTask(in: TimeAmount(limit)) { [self] in
            bound.value.deadlinePassed(limit, context: self)
        }
        closeFuture.whenComplete { _ in deadline.cancel() }
        return reader.message
    }
}
