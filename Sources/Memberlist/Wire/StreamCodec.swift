import MessagePack

/// TCP streams: one message each way per connection (push/pull, ping, user
/// message), optionally compressed and encrypted as a whole.
public struct StreamCodec: Sendable {
    public let keyring: Keyring?
    /// memberlist refuses encrypted streams larger than this.
    public static let maxEncryptedSize = 20 << 20

    public init(keyring: Keyring?) { self.keyring = keyring }

    public func encode(_ message: StreamMessage) throws(WireError) -> [UInt8] {
        let plain = Self.plain(message)
        guard let keyring else { return plain }
        let length = UInt32(Keyring.packetOverhead + plain.count)
        let header: [UInt8] = [MessageType.encrypt.rawValue, UInt8(length >> 24), UInt8((length >> 16) & 0xff),
                               UInt8((length >> 8) & 0xff), UInt8(length & 0xff)]
        return header + (try keyring.seal(plain, authenticating: header))
    }

    static func plain(_ message: StreamMessage) -> [UInt8] {
        switch message {
        case .pushPull(let pp):
            var w = MessagePackWriter(profile: .gossip, capacity: 64 + pp.nodes.count * 96 + pp.userState.count)
            w.writeRaw([MessageType.pushPull.rawValue])
            w.writeMapHeader(3)
            w.write("Join"); w.write(pp.join)
            w.write("Nodes"); w.write(Int64(pp.nodes.count))
            w.write("UserStateLen"); w.write(Int64(pp.userState.count))
            for node in pp.nodes { node.encode(into: &w) }
            w.writeRaw(pp.userState)
            return w.bytes
        case .ping(let p): return Message.ping(p).encoded()
        case .ack(let a): return Message.ack(a).encoded()
        case .error(let e): return Message.error(e).encoded()
        case .user(let bytes):
            var m = WireMap(fields: 1)
            m.field("UserMsgLen", Int64(bytes.count))
            return [MessageType.user.rawValue] + m.bytes + bytes
        }
    }

    public func decoder() -> StreamDecoder { StreamDecoder(keyring: keyring) }
}

/// Collects a TCP stream's bytes until one whole message is in. A push/pull
/// is parsed by its structure (header, N node states, user state), never by
/// waiting for the peer to close.
///
/// Every stream comes from a peer that may be hostile, so nothing it
/// announces is believed: the bytes held are capped (`limit`), a length that
/// would pass the cap is refused as soon as its header arrives, and a
/// push/pull is parsed incrementally, so a large one arriving in small reads
/// costs linear time, not quadratic.
public struct StreamDecoder: Sendable {
    let keyring: Keyring?
    /// The most bytes one message may take on the wire.
    public let limit: Int
    var buffer: [UInt8] = []
    /// A plain push/pull parsed so far: its header and the node states read.
    var partial: PartialPushPull?
    /// Sanity limits on what a header may announce.
    static let maxNodes = 100_000
    static let maxUserState = 20 << 20

    struct PartialPushPull: Sendable {
        var join: Bool
        var count: Int
        var userLength: Int
        var nodes: [PushNodeState]
        var offset: Int
    }

    public init(keyring: Keyring?, limit: Int = StreamCodec.maxEncryptedSize) {
        self.keyring = keyring
        self.limit = limit
    }

    /// Bytes held while the message is incomplete.
    public var bufferedBytes: Int { buffer.count }

    /// Adds bytes read from the stream; throws once the message would pass the limit.
    public mutating func append(_ bytes: some Collection<UInt8>) throws(WireError) {
        guard buffer.count + bytes.count <= limit else {
            throw .tooLarge("stream message", size: buffer.count + bytes.count, limit: limit)
        }
        buffer.append(contentsOf: bytes)
    }

    /// The message, once complete; nil while more bytes are needed.
    public mutating func next() throws(WireError) -> StreamMessage? {
        guard let first = buffer.first else { return nil }
        if first == MessageType.encrypt.rawValue {
            guard let keyring else { throw .encryptionNotConfigured }
            guard buffer.count >= 5 else { return nil }
            let length = Int(buffer[1]) << 24 | Int(buffer[2]) << 16 | Int(buffer[3]) << 8 | Int(buffer[4])
            guard length + 5 <= limit else {
                throw .tooLarge("encrypted stream", size: length, limit: limit - 5)
            }
            guard buffer.count >= 5 + length else { return nil }
            let plain = try keyring.open(buffer[5 ..< 5 + length], authenticating: Array(buffer[0 ..< 5]))
            guard let message = try Self.parse(plain, limit: limit, depth: 0) else {
                throw .truncated("encrypted stream contents")
            }
            return message
        }
        if keyring != nil { throw .encryptionExpected }
        if first == MessageType.pushPull.rawValue { return try nextPushPull() }
        return try Self.parse(buffer, limit: limit, depth: 0)
    }

    /// A plain push/pull, resumed where the last call stopped.
    mutating func nextPushPull() throws(WireError) -> StreamMessage? {
        try Self.parsePushPull(buffer, limit: limit, progress: &partial)
    }

    /// A push/pull (type byte first), picking up from `progress` and leaving
    /// there what it parsed, so that a caller fed in pieces never reads a
    /// node state twice; nil while the bytes end too early.
    static func parsePushPull(_ bytes: [UInt8], limit: Int, progress: inout PartialPushPull?) throws(WireError) -> StreamMessage? {
        var reader = MessagePackReader(bytes, offset: progress?.offset ?? 1, maxLength: limit)
        if progress == nil {
            guard let header = try read(&reader, "push/pull header") else { return nil }
            progress = try pushPullHeader(header, offset: reader.offset)
        }
        guard var p = progress else { return nil }
        defer { progress = p }
        while p.nodes.count < p.count {
            guard let v = try read(&reader, "push/pull node state") else { return nil }
            p.nodes.append(try PushNodeState(fields: WireFields(v, message: "push/pull node state")))
            p.offset = reader.offset
        }
        guard reader.remaining >= p.userLength else { return nil }
        let user = (try? reader.readRaw(p.userLength)) ?? []
        return .pushPull(PushPull(join: p.join, nodes: p.nodes, userState: user))
    }

    static func pushPullHeader(_ value: MessagePackValue, offset: Int) throws(WireError) -> PartialPushPull {
        let header = try WireFields(value, message: "push/pull header")
        let count = try header.signed("Nodes"), userLength = try header.signed("UserStateLen")
        guard (0 ... Int64(maxNodes)).contains(count) else {
            throw header.wrong("Nodes", "\(count) is not a plausible node count")
        }
        guard (0 ... Int64(maxUserState)).contains(userLength) else {
            throw header.wrong("UserStateLen", "\(userLength) is not a plausible length")
        }
        var nodes: [PushNodeState] = []
        nodes.reserveCapacity(min(Int(count), 1024))
        return PartialPushPull(join: try header.bool("Join"), count: Int(count), userLength: Int(userLength),
                               nodes: nodes, offset: offset)
    }

    /// One msgpack value; nil when the bytes end inside it.
    static func read(_ reader: inout MessagePackReader, _ what: String) throws(WireError) -> MessagePackValue? {
        do {
            return try reader.read()
        } catch .truncated {
            return nil
        } catch .tooLong(let n, let limit, _) {
            throw .tooLarge("a value in the \(what)", size: n, limit: limit)
        } catch {
            throw .malformed(message: what, field: nil, reason: "\(error)")
        }
    }

    /// Parses one whole plain message; nil when the bytes end too early.
    static func parse(_ bytes: [UInt8], limit: Int, depth: Int) throws(WireError) -> StreamMessage? {
        guard let first = bytes.first else { return nil }
        guard depth <= 2 else { throw .nestedTooDeep("stream") }
        var reader = MessagePackReader(bytes, offset: 1, maxLength: limit)
        switch MessageType(rawValue: first) {
        case .pushPull:
            var progress: PartialPushPull?
            return try parsePushPull(bytes, limit: limit, progress: &progress)
        case .ping:
            guard let v = try read(&reader, "ping") else { return nil }
            return .ping(try Ping(fields: WireFields(v, message: "ping")))
        case .ackResp:
            guard let v = try read(&reader, "ack") else { return nil }
            let f = try WireFields(v, message: "ack")
            return .ack(AckResponse(seqNo: try f.unsigned("SeqNo"), payload: try f.bytes("Payload")))
        case .err:
            guard let v = try read(&reader, "error") else { return nil }
            return .error(ErrorResponse(error: try WireFields(v, message: "error").string("Error")))
        case .user:
            guard let v = try read(&reader, "user message header") else { return nil }
            let length = try WireFields(v, message: "user message header").signed("UserMsgLen")
            guard (0 ... Int64(min(maxUserState, limit))).contains(length) else {
                throw .malformed(message: "user message header", field: "UserMsgLen", reason: "\(length) is not a plausible length")
            }
            guard reader.remaining >= Int(length) else { return nil }
            return .user((try? reader.readRaw(Int(length))) ?? [])
        case .compress:
            // A compressed stream is complete once its msgpack body is.
            guard let v = try read(&reader, "compressed stream") else { return nil }
            let f = try WireFields(v, message: "compressed stream")
            let algo: UInt8 = try f.unsigned("Algo")
            guard algo == 0 else { throw .unsupportedCompression(algo) }
            let inner = try LZWDecoder.decode(try f.bytes("Buf"), limit: min(maxUserState, limit))
            guard let message = try parse(inner, limit: limit, depth: depth + 1) else {
                throw .truncated("compressed stream contents")
            }
            return message
        default:
            throw .unknownType(first, context: "a TCP stream")
        }
    }
}
