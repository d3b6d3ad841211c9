import MessagePack

extension Message {
    /// The command byte followed by the msgpack body, as memberlist sends it.
    public func encoded() -> [UInt8] {
        switch self {
        case .ping(let p): return [MessageType.ping.rawValue] + p.body()
        case .indirectPing(let r): return [MessageType.indirectPing.rawValue] + r.body()
        case .ack(let a): return [MessageType.ackResp.rawValue] + a.body()
        case .nack(let n):
            var m = WireMap(fields: 1); m.field("SeqNo", UInt64(n.seqNo))
            return [MessageType.nackResp.rawValue] + m.bytes
        case .suspect(let s): return [MessageType.suspect.rawValue] + Self.verdict(s.from, s.incarnation, s.node)
        case .dead(let d): return [MessageType.dead.rawValue] + Self.verdict(d.from, d.incarnation, d.node)
        case .alive(let a): return [MessageType.alive.rawValue] + a.body()
        case .user(let bytes): return [MessageType.user.rawValue] + bytes
        case .error(let e): return [MessageType.err.rawValue] + e.body()
        }
    }

    static func verdict(_ from: String, _ incarnation: UInt32, _ node: String) -> [UInt8] {
        var m = WireMap(fields: 3)
        m.field("From", from)
        m.field("Incarnation", UInt64(incarnation))
        m.field("Node", node)
        return m.bytes
    }

    /// Decodes one command (no compound, compression or CRC wrapper).
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Message {
        guard let first = bytes.first else { throw .empty("message") }
        let body = bytes.dropFirst()
        guard let type = MessageType(rawValue: first) else { throw .unknownType(first, context: "a packet") }
        switch type {
        case .ping: return .ping(try Ping(fields: WireFields(decoding: body, message: "ping")))
        case .indirectPing:
            return .indirectPing(try IndirectPingRequest(fields: WireFields(decoding: body, message: "indirect ping")))
        case .ackResp:
            let f = try WireFields(decoding: body, message: "ack")
            return .ack(AckResponse(seqNo: try f.unsigned("SeqNo"), payload: try f.bytes("Payload")))
        case .nackResp:
            let f = try WireFields(decoding: body, message: "nack")
            return .nack(NackResponse(seqNo: try f.unsigned("SeqNo")))
        case .suspect:
            let f = try WireFields(decoding: body, message: "suspect")
            return .suspect(Suspect(incarnation: try f.unsigned("Incarnation"), node: try f.string("Node"), from: try f.string("From")))
        case .dead:
            let f = try WireFields(decoding: body, message: "dead")
            return .dead(Dead(incarnation: try f.unsigned("Incarnation"), node: try f.string("Node"), from: try f.string("From")))
        case .alive: return .alive(try Alive(fields: WireFields(decoding: body, message: "alive")))
        case .user: return .user(Array(body))
        case .err:
            return .error(ErrorResponse(error: try WireFields(decoding: body, message: "error").string("Error")))
        case .pushPull, .compound, .compress, .encrypt, .hasCRC:
            throw .unknownType(first, context: "a single message (wrappers are unwrapped by PacketCodec)")
        }
    }
}

extension Ping {
    func body() -> [UInt8] {
        let hasAddr = !(sourceAddr ?? []).isEmpty, hasPort = (sourcePort ?? 0) != 0, hasNode = !(sourceNode ?? "").isEmpty
        var m = WireMap(fields: 2 + (hasAddr ? 1 : 0) + (hasPort ? 1 : 0) + (hasNode ? 1 : 0))
        m.field("Node", node)
        m.field("SeqNo", UInt64(seqNo))
        if hasAddr { m.field("SourceAddr", bytes: sourceAddr!) }
        if hasNode { m.field("SourceNode", sourceNode!) }
        if hasPort { m.field("SourcePort", UInt64(sourcePort!)) }
        return m.bytes
    }

    init(fields f: WireFields) throws(WireError) {
        self.init(seqNo: try f.unsigned("SeqNo"), node: try f.string("Node"),
                  sourceAddr: try f.optionalBytes("SourceAddr"),
                  sourcePort: f.has("SourcePort") ? try f.unsigned("SourcePort") : nil,
                  sourceNode: f.has("SourceNode") ? try f.string("SourceNode") : nil)
    }
}

extension IndirectPingRequest {
    func body() -> [UInt8] {
        let hasAddr = !(sourceAddr ?? []).isEmpty, hasPort = (sourcePort ?? 0) != 0, hasNode = !(sourceNode ?? "").isEmpty
        var m = WireMap(fields: 5 + (hasAddr ? 1 : 0) + (hasPort ? 1 : 0) + (hasNode ? 1 : 0))
        m.field("Nack", nack)
        m.field("Node", node)
        m.field("Port", UInt64(port))
        m.field("SeqNo", UInt64(seqNo))
        if hasAddr { m.field("SourceAddr", bytes: sourceAddr!) }
        if hasNode { m.field("SourceNode", sourceNode!) }
        if hasPort { m.field("SourcePort", UInt64(sourcePort!)) }
        m.field("Target", bytes: target)
        return m.bytes
    }

    init(fields f: WireFields) throws(WireError) {
        self.init(seqNo: try f.unsigned("SeqNo"), target: try f.bytes("Target"), port: try f.unsigned("Port"),
                  node: try f.string("Node"), nack: try f.bool("Nack"),
                  sourceAddr: try f.optionalBytes("SourceAddr"),
                  sourcePort: f.has("SourcePort") ? try f.unsigned("SourcePort") : nil,
                  sourceNode: f.has("SourceNode") ? try f.string("SourceNode") : nil)
    }
}

extension AckResponse {
    func body() -> [UInt8] {
        var m = WireMap(fields: 2)
        m.field("Payload", nilableBytes: payload.isEmpty ? nil : payload)
        m.field("SeqNo", UInt64(seqNo))
        return m.bytes
    }
}

extension ErrorResponse {
    func body() -> [UInt8] {
        var m = WireMap(fields: 1)
        m.field("Error", error)
        return m.bytes
    }
}

extension Alive {
    func body() -> [UInt8] {
        var m = WireMap(fields: 6, capacity: 96 + meta.count)
        m.field("Addr", bytes: addr)
        m.field("Incarnation", UInt64(incarnation))
        m.field("Meta", bytes: meta)
        m.field("Node", node)
        m.field("Port", UInt64(port))
        m.field("Vsn", bytes: vsn)
        return m.bytes
    }

    init(fields f: WireFields) throws(WireError) {
        self.init(incarnation: try f.unsigned("Incarnation"), node: try f.string("Node"), addr: try f.bytes("Addr"),
                  port: try f.unsigned("Port"), meta: try f.bytes("Meta"), vsn: try f.bytes("Vsn"))
    }
}

extension PushNodeState {
    func encode(into w: inout MessagePackWriter) {
        w.writeMapHeader(7)
        w.write("Addr"); w.writeBytes(addr)
        w.write("Incarnation"); w.write(UInt64(incarnation))
        w.write("Meta"); w.writeBytes(meta)
        w.write("Name"); w.write(name)
        w.write("Port"); w.write(UInt64(port))
        w.write("State"); w.write(Int64(state.rawValue))
        w.write("Vsn"); w.writeBytes(vsn)
    }

    init(fields f: WireFields) throws(WireError) {
        let raw = try f.signed("State")
        guard let state = NodeStateKind(rawValue: Int(raw)) else { throw f.wrong("State", "unknown node state \(raw)") }
        self.init(name: try f.string("Name"), addr: try f.bytes("Addr"), port: try f.unsigned("Port"),
                  meta: try f.bytes("Meta"), incarnation: try f.unsigned("Incarnation"), state: state,
                  vsn: try f.bytes("Vsn"))
    }
}
