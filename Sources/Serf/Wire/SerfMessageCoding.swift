import Memberlist
import MessagePack

extension SerfMessage {
    /// The Serf type byte and the msgpack body (gossip profile).
    public func encoded() -> [UInt8] {
        switch self {
        case .leave(let l):
            var m = WireMap(fields: 3)
            m.field("LTime", l.ltime); m.field("Node", l.node); m.field("Prune", l.prune)
            return [SerfMessageType.leave.rawValue] + m.bytes
        case .join(let j):
            var m = WireMap(fields: 2)
            m.field("LTime", j.ltime); m.field("Node", j.node)
            return [SerfMessageType.join.rawValue] + m.bytes
        case .userEvent(let e):
            var m = WireMap(fields: 4, capacity: 32 + e.name.utf8.count + e.payload.count)
            m.field("CC", e.canCoalesce); m.field("LTime", e.ltime); m.field("Name", e.name)
            m.field("Payload", nilableBytes: e.payload.isEmpty ? nil : e.payload)
            return [SerfMessageType.userEvent.rawValue] + m.bytes
        case .query(let q): return [SerfMessageType.query.rawValue] + q.body()
        case .queryResponse(let r):
            var m = WireMap(fields: 5, capacity: 48 + r.payload.count)
            m.field("Flags", UInt64(r.flags.rawValue)); m.field("From", r.from); m.field("ID", UInt64(r.id))
            m.field("LTime", r.ltime); m.field("Payload", nilableBytes: r.payload.isEmpty ? nil : r.payload)
            return [SerfMessageType.queryResponse.rawValue] + m.bytes
        case .relay(let r):
            var dest = WireMap(fields: 3)
            dest.field("IP", bytes: r.destAddr); dest.field("Port", UInt64(r.destPort)); dest.field("Zone", r.destZone)
            var m = WireMap(fields: 2)
            m.field("DestAddr", raw: dest.bytes); m.field("DestName", r.destName)
            return [SerfMessageType.relay.rawValue] + m.bytes + r.inner
        case .pushPull(let p): return [SerfMessageType.pushPull.rawValue] + p.body()
        }
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> SerfMessage {
        guard let first = bytes.first else { throw .empty("Serf message") }
        let body = bytes.dropFirst()
        switch SerfMessageType(rawValue: first) {
        case .leave:
            let f = try WireFields(decoding: body, message: "leave intent")
            return .leave(LeaveIntent(ltime: try f.unsigned("LTime"), node: try f.string("Node"), prune: try f.bool("Prune")))
        case .join:
            let f = try WireFields(decoding: body, message: "join intent")
            return .join(JoinIntent(ltime: try f.unsigned("LTime"), node: try f.string("Node")))
        case .userEvent:
            let f = try WireFields(decoding: body, message: "user event")
            return .userEvent(UserEventMessage(ltime: try f.unsigned("LTime"), name: try f.string("Name"),
                                               payload: try f.bytes("Payload"), canCoalesce: try f.bool("CC")))
        case .query: return .query(try QueryMessage(fields: WireFields(decoding: body, message: "query")))
        case .queryResponse:
            let f = try WireFields(decoding: body, message: "query response")
            return .queryResponse(QueryResponseMessage(ltime: try f.unsigned("LTime"), id: try f.unsigned("ID"),
                                                       from: try f.string("From"),
                                                       flags: QueryFlags(rawValue: try f.unsigned("Flags")),
                                                       payload: try f.bytes("Payload")))
        case .relay:
            var reader = MessagePackReader(Array(body))
            let header: MessagePackValue
            do { header = try reader.read() } catch { throw .malformed(message: "relay", field: nil, reason: "\(error)") }
            let f = try WireFields(header, message: "relay")
            guard let destValue = f.raw("DestAddr") else { throw f.wrong("DestAddr", "missing") }
            let dest = try WireFields(destValue, message: "relay destination")
            let port = try dest.signed("Port")
            guard let port16 = UInt16(exactly: port) else { throw dest.wrong("Port", "\(port) is not a port") }
            let inner = Array(body.dropFirst(reader.offset))
            guard !inner.isEmpty else { throw .truncated("relay (no message to forward)") }
            return .relay(RelayMessage(destAddr: try dest.bytes("IP"), destPort: port16, destZone: try dest.string("Zone"),
                                       destName: try f.string("DestName"), inner: inner))
        case .pushPull: return .pushPull(try SerfPushPull(fields: WireFields(decoding: body, message: "Serf push/pull")))
        case .conflictResponse, .keyRequest, .keyResponse, nil:
            throw .unknownType(first, context: "a Serf message")
        }
    }
}

extension QueryFilter {
    public func encoded() -> [UInt8] {
        switch self {
        case .nodes(let names):
            var w = MessagePackWriter(profile: .gossip)
            w.writeArrayHeader(names.count)
            for n in names { w.write(n) }
            return [0] + w.bytes
        case .tag(let name, let expression):
            var m = WireMap(fields: 2)
            m.field("Expr", expression); m.field("Tag", name)
            return [1] + m.bytes
        case .unknown(let type, let raw):
            return [type] + raw
        }
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> QueryFilter {
        guard let type = bytes.first else { throw .empty("query filter") }
        let body = Array(bytes.dropFirst())
        switch type {
        case 0:
            let value: MessagePackValue
            do { value = try MessagePackReader.decode(body) } catch {
                throw .malformed(message: "node filter", field: nil, reason: "\(error)")
            }
            guard let items = value.arrayValue else {
                throw .malformed(message: "node filter", field: nil, reason: "expected a list of names")
            }
            var names: [String] = []
            for item in items {
                guard let s = item.stringValue else {
                    throw .malformed(message: "node filter", field: nil, reason: "a name that is not a string")
                }
                names.append(s)
            }
            return .nodes(names)
        case 1:
            let f = try WireFields(decoding: body, message: "tag filter")
            return .tag(name: try f.string("Tag"), expression: try f.string("Expr"))
        default:
            return .unknown(type: type, raw: body)
        }
    }
}

extension QueryMessage {
    func body() -> [UInt8] {
        var m = WireMap(fields: 11, capacity: 160 + payload.count)
        m.field("Addr", bytes: addr)
        m.writer.write("Filters")
        if filters.isEmpty {
            m.writer.writeNil()
        } else {
            m.writer.writeArrayHeader(filters.count)
            for f in filters { m.writer.writeBytes(f.encoded()) }
        }
        m.field("Flags", UInt64(flags.rawValue))
        m.field("ID", UInt64(id))
        m.field("LTime", ltime)
        m.field("Name", name)
        m.field("Payload", nilableBytes: payload.isEmpty ? nil : payload)
        m.field("Port", UInt64(port))
        m.field("RelayFactor", UInt64(relayFactor))
        m.field("SourceNode", sourceNode)
        let (seconds, atto) = timeout.components
        m.field("Timeout", seconds &* 1_000_000_000 &+ atto / 1_000_000_000)
        return m.bytes
    }

    init(fields f: WireFields) throws(WireError) {
        var filters: [QueryFilter] = []
        for item in try f.array("Filters") {
            guard let raw = item.bytesValue else { throw f.wrong("Filters", "a filter that is not bytes") }
            filters.append(try QueryFilter.decode(raw))
        }
        let ns = try f.signed("Timeout")
        self.init(ltime: try f.unsigned("LTime"), id: try f.unsigned("ID"), addr: try f.bytes("Addr"),
                  port: try f.unsigned("Port"), sourceNode: try f.string("SourceNode"), filters: filters,
                  flags: QueryFlags(rawValue: try f.unsigned("Flags")), relayFactor: try f.unsigned("RelayFactor"),
                  timeout: .nanoseconds(max(0, ns)), name: try f.string("Name"), payload: try f.bytes("Payload"))
    }
}

extension SerfPushPull {
    func body() -> [UInt8] {
        var w = MessagePackWriter(profile: .gossip, capacity: 128 + statusLTimes.count * 24)
        w.writeMapHeader(6)
        w.write("EventLTime"); w.write(eventLTime)
        w.write("Events")
        if events.isEmpty {
            w.writeNil()
        } else {
            w.writeArrayHeader(events.count)
            for bucket in events {
                w.writeMapHeader(2)
                w.write("Events"); w.writeArrayHeader(bucket.events.count)
                for e in bucket.events {
                    w.writeMapHeader(2)
                    w.write("Name"); w.write(e.name)
                    w.write("Payload")
                    if e.payload.isEmpty { w.writeNil() } else { w.writeBytes(e.payload) }
                }
                w.write("LTime"); w.write(bucket.ltime)
            }
        }
        w.write("LTime"); w.write(ltime)
        w.write("LeftMembers"); w.writeArrayHeader(leftMembers.count)
        for name in leftMembers { w.write(name) }
        w.write("QueryLTime"); w.write(queryLTime)
        w.write("StatusLTimes"); w.writeMapHeader(statusLTimes.count)
        for (name, t) in statusLTimes.sorted(by: { $0.key < $1.key }) { w.write(name); w.write(t) }
        return w.bytes
    }

    init(fields f: WireFields) throws(WireError) {
        var status: [String: UInt64] = [:]
        if let raw = f.raw("StatusLTimes"), let entries = raw.mapEntries {
            for e in entries {
                guard let name = e.key.stringValue, let t = e.value.uint64Value else {
                    throw f.wrong("StatusLTimes", "expected names and Lamport times")
                }
                status[name] = t
            }
        }
        var left: [String] = []
        for item in try f.array("LeftMembers") {
            guard let s = item.stringValue else { throw f.wrong("LeftMembers", "a name that is not a string") }
            left.append(s)
        }
        var buckets: [UserEventBucket] = []
        for item in try f.array("Events") where !item.isNil {
            let b = try WireFields(item, message: "Serf push/pull event bucket")
            var entries: [UserEventEntry] = []
            for e in try b.array("Events") {
                let ef = try WireFields(e, message: "Serf push/pull event")
                entries.append(UserEventEntry(name: try ef.string("Name"), payload: try ef.bytes("Payload")))
            }
            buckets.append(UserEventBucket(ltime: try b.unsigned("LTime"), events: entries))
        }
        self.init(ltime: try f.unsigned("LTime"), statusLTimes: status, leftMembers: left,
                  eventLTime: try f.unsigned("EventLTime"), events: buckets, queryLTime: try f.unsigned("QueryLTime"))
    }
}
