import ConnectionErrors
import MessagePack
import NIOCore
import NIOPosix

/// One TCP connection to a serf agent's RPC port. Requests are matched to
/// replies by sequence number; replies are msgpack values back to back, so
/// whether a body follows a header depends on what was asked.
actor AgentRPCConnection {
    let address: String
    private let channel: any Channel
    private var buffer: [UInt8] = []
    private var nextSeq: UInt64 = 0
    private var waiters: [UInt64: Waiter] = [:]
    /// Streams we stopped: their late records still carry a body.
    private var stoppedStreams: Set<UInt64> = []
    private var closedError: AgentRPCError?
    private var reader: Task<Void, Never>?

    enum Waiter {
        case reply(command: String, body: Bool, CheckedContinuation<MessagePackValue?, any Error>)
        case stream(command: String, started: Bool, CheckedContinuation<Void, any Error>?,
                    AsyncThrowingStream<MessagePackValue, any Error>.Continuation)
        /// A call its caller stopped waiting for (cancelled), or one nobody
        /// waits for (`stop`): the reply is still read, body and all, so that
        /// the next one is read right. `stream`: it would have started a
        /// stream, which is stopped as soon as the agent says it started.
        case abandoned(command: String, body: Bool, stream: Bool)
    }

    static func connect(host: String, port: Int, timeout: Duration = .seconds(5), maxRecord: Int = SerfAgentClient.defaultMaxRecord,
                        callTimeout: Duration = SerfAgentClient.defaultCallTimeout,
                        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> AgentRPCConnection {
        let address = "\(host):\(port)"
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(timeout))
                .connect(host: host, port: port) { ch in
                    ch.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: ch) }
                }
        } catch {
            throw AgentRPCError.cannotConnect(address: address, reason: Self.explain(error))
        }
        let connection = AgentRPCConnection(address: address, channel: channel.channel, maxRecord: maxRecord,
                                            callTimeout: callTimeout)
        await connection.startReading(channel)
        return connection
    }

    private init(address: String, channel: any Channel, maxRecord: Int, callTimeout: Duration) {
        self.address = address
        self.channel = channel
        self.maxRecord = maxRecord
        self.callTimeout = callTimeout
    }

    /// How long a command may go unanswered. An agent that stopped (SIGSTOP,
    /// a frozen host) keeps its connection open and answers nothing: without
    /// a bound, every caller would wait for ever.
    let callTimeout: Duration

    /// Arms the bound for `seq`; past it the connection is closed, which
    /// fails every waiter, and callers connect again as after any loss. A
    /// late reply cannot then be taken for another's.
    private func armTimeout(_ seq: UInt64, command: String, after bound: Duration) -> Scheduled<Void> {
        channel.eventLoop.scheduleTask(in: TimeAmount(bound)) { [weak self] in
            guard let self else { return }
            Task { await self.expire(seq, command: command, after: bound) }
        }
    }

    private func expire(_ seq: UInt64, command: String, after bound: Duration) {
        guard let waiter = waiters[seq] else { return }
        if case .stream(_, true, _, _) = waiter { return }
        fail(.noAnswer(command: command, address: address, after: bound))
        channel.close(promise: nil)
    }

    /// Requests are written straight to the channel (each is one buffer,
    /// written in the actor's order); replies come through the async
    /// channel's inbound stream.
    private func startReading(_ async: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        reader = Task { [weak self] in
            do {
                try await async.executeThenClose { inbound, _ in
                    for try await chunk in inbound {
                        guard let self else { return }
                        await self.received(Array(chunk.readableBytesView))
                    }
                }
            } catch {}
            await self?.fail(.disconnected(address: self?.address ?? ""))
        }
    }

    /// Sends a command and waits for its reply (and body, when it has one).
    /// `bound`: for a command that takes longer by nature (`join` waits for
    /// every address it is given); `callTimeout` otherwise.
    func call(_ command: String, body: MessagePackValue? = nil, replyBody: Bool,
              bound: Duration? = nil) async throws -> MessagePackValue? {
        if let closedError { throw closedError }
        let seq = nextSeq
        nextSeq += 1
        return try await request(command, seq: seq, body: body, bound: bound ?? callTimeout) {
            .reply(command: command, body: replyBody, $0)
        }
    }

    /// Registers `seq`'s waiter, sends the command and waits, within
    /// `bound`, for what the waiter is resumed with. A cancelled caller
    /// stops waiting at once (`abandon`).
    private func request<T>(_ command: String, seq: UInt64, body: MessagePackValue?, bound: Duration,
                            waiter: (CheckedContinuation<T, any Error>) -> Waiter) async throws -> T {
        let timer = armTimeout(seq, command: command, after: bound)
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard !Task.isCancelled else { return continuation.resume(throwing: CancellationError()) }
                waiters[seq] = waiter(continuation)
                send(command, seq: seq, body: body)
            }
        } onCancel: {
            Task { await self.abandon(seq) }
        }
    }

    /// The caller of `seq` was cancelled: it stops waiting now, and the
    /// agent's reply, when it comes, is read and dropped (a stream it would
    /// have started is stopped then).
    private func abandon(_ seq: UInt64) {
        switch waiters[seq] {
        case .reply(let command, let body, let continuation)?:
            waiters[seq] = .abandoned(command: command, body: body, stream: false)
            continuation.resume(throwing: CancellationError())
        case .stream(let command, false, let started, let sink)?:
            waiters[seq] = .abandoned(command: command, body: false, stream: true)
            started?.resume(throwing: CancellationError())
            sink.finish()
        default:
            break
        }
    }

    /// Starts a stream (`stream`, `query`, `monitor`): returns its sequence
    /// number and the records that follow, once the agent accepted it.
    func openStream(_ command: String, body: MessagePackValue) async throws -> (UInt64, AsyncThrowingStream<MessagePackValue, any Error>) {
        if let closedError { throw closedError }
        let seq = nextSeq
        nextSeq += 1
        let (records, sink) = AsyncThrowingStream.makeStream(of: MessagePackValue.self)
        try await request(command, seq: seq, body: body, bound: callTimeout) { (started: CheckedContinuation<Void, any Error>) in
            .stream(command: command, started: false, started, sink)
        }
        return (seq, records)
    }

    /// Ends a stream on our side and asks the agent to stop it. Nobody
    /// waits for the agent's answer, so a cancelled caller (a query's reader
    /// gone) still sends it.
    func stop(_ seq: UInt64) {
        guard case .stream(_, _, _, let sink)? = waiters.removeValue(forKey: seq) else { return }
        sink.finish()
        askToStop(seq)
    }

    private func askToStop(_ seq: UInt64) {
        guard closedError == nil else { return }
        stoppedStreams.insert(seq)
        let stopSeq = nextSeq
        nextSeq += 1
        waiters[stopSeq] = .abandoned(command: "stop", body: false, stream: false)
        send("stop", seq: stopSeq, body: .map(["Stop": .uint(seq)]))
    }

    func close() async {
        fail(.disconnected(address: address))
        try? await channel.close()
        reader?.cancel()
    }

    private func send(_ command: String, seq: UInt64, body: MessagePackValue?) {
        var w = MessagePackWriter(profile: .rpc)
        w.write(MessagePackValue.map(["Command": .string(command), "Seq": .uint(seq)]))
        if let body { w.write(body) }
        channel.writeAndFlush(ByteBuffer(bytes: w.bytes), promise: nil)
    }

    /// The most bytes a record may take (SerfAgentClient.defaultMaxRecord).
    let maxRecord: Int

    private func received(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        guard buffer.count <= maxRecord else {
            buffer = []
            fail(.unexpectedReply(command: "(stream)", detail: "a record longer than \(maxRecord) bytes"))
            channel.close(promise: nil)
            return
        }
        var reader = MessagePackReader(buffer)
        var consumed = 0
        do {
            while !reader.isAtEnd {
                let header = try reader.read()
                // Every reply starts with a map holding its Seq: anything
                // else is not an agent talking, and is not read further.
                guard case .map = header, let seq = header["Seq"]?.uint64Value else {
                    buffer = []
                    fail(.unexpectedReply(command: "(stream)", detail: "a reply header without a sequence number"))
                    channel.close(promise: nil)
                    return
                }
                let error = header["Error"]?.stringValue ?? ""
                var body: MessagePackValue?
                if expectsBody(seq: seq, error: error) { body = try reader.read() }
                consumed = reader.offset
                dispatch(seq: seq, error: error, body: body)
            }
        } catch .truncated {
            // The rest is still on its way.
        } catch {
            fail(.unexpectedReply(command: "(stream)", detail: "\(error)"))
            channel.close(promise: nil)
            return
        }
        if consumed > 0 { buffer.removeFirst(consumed) }
    }

    private func expectsBody(seq: UInt64, error: String) -> Bool {
        switch waiters[seq] {
        case .reply(let command, let body, _)?, .abandoned(let command, let body, _)?:
            // `join` always sends its count, even with an error.
            return body && (error.isEmpty || command == "join")
        case .stream(_, let started, _, _)?:
            return started
        case nil:
            return stoppedStreams.contains(seq)
        }
    }

    private func dispatch(seq: UInt64, error: String, body: MessagePackValue?) {
        switch waiters[seq] {
        case .reply(let command, _, let continuation)?:
            waiters[seq] = nil
            if error.isEmpty {
                continuation.resume(returning: body)
            } else {
                continuation.resume(throwing: Self.agentError(command: command, message: error, address: address))
            }
        case .stream(let command, false, let started, let sink)?:
            if error.isEmpty {
                waiters[seq] = .stream(command: command, started: true, nil, sink)
                started?.resume()
            } else {
                waiters[seq] = nil
                started?.resume(throwing: Self.agentError(command: command, message: error, address: address))
            }
        case .stream(_, true, _, let sink)?:
            if let body { sink.yield(body) }
        case .abandoned(_, _, let stream)?:
            waiters[seq] = nil
            if stream && error.isEmpty { askToStop(seq) }
        case nil:
            break
        }
    }

    private func fail(_ error: AgentRPCError) {
        if closedError == nil { closedError = error }
        let pending = waiters
        waiters.removeAll()
        for waiter in pending.values {
            switch waiter {
            case .reply(_, _, let c): c.resume(throwing: error)
            case .stream(_, _, let started, let sink):
                started?.resume(throwing: error)
                sink.finish(throwing: error)
            case .abandoned:
                break
            }
        }
    }

    static func agentError(command: String, message: String, address: String) -> AgentRPCError {
        message == "Authentication required" ? .authRequired(address: address) : .agent(command: command, message: message)
    }

    static func explain(_ error: any Error) -> String { "\(ConnectionFailure(error))" }
}
