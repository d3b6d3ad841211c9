import Memberlist
import MessagePack

/// Serf tags live in memberlist's node Meta: a magic 0xFF byte, then a
/// msgpack map of strings (Serf protocol 3 and later).
public enum TagCodec {
    public static let magic: UInt8 = 0xFF
    public static let maxSize = 512

    public static func encode(_ tags: [String: String]) throws(WireError) -> [UInt8] {
        var w = MessagePackWriter(profile: .gossip)
        w.writeMapHeader(tags.count)
        for (k, v) in tags.sorted(by: { $0.key < $1.key }) { w.write(k); w.write(v) }
        let meta = [magic] + w.bytes
        guard meta.count <= maxSize else { throw .tooLarge("tags", size: meta.count, limit: maxSize) }
        return meta
    }

    /// Meta without the magic byte is an old-style role name.
    public static func decode(_ meta: [UInt8]) -> [String: String] {
        guard meta.first == magic else { return ["role": String(decoding: meta, as: UTF8.self)] }
        guard let value = try? MessagePackReader.decode(Array(meta.dropFirst())),
              let tags = value.stringMapValue else { return [:] }
        return tags
    }
}

extension MemberStatus {
    /// Go's MemberStatus numbers.
    var goValue: Int64 {
        switch self {
        case .none: return 0
        case .alive, .suspect: return 1
        case .leaving: return 2
        case .left: return 3
        case .failed: return 4
        }
    }

    init(goValue: Int64) {
        switch goValue {
        case 1: self = .alive
        case 2: self = .leaving
        case 3: self = .left
        case 4: self = .failed
        default: self = .none
        }
    }
}

extension ConflictResponse {
    public func encoded() -> [UInt8] {
        var w = MessagePackWriter(profile: .gossip)
        w.writeMapHeader(11)
        w.write("Addr"); w.writeBytes(Self.addressBytes(member.address))
        w.write("DelegateCur"); w.write(UInt64(member.delegateCur))
        w.write("DelegateMax"); w.write(UInt64(member.delegateMax))
        w.write("DelegateMin"); w.write(UInt64(member.delegateMin))
        w.write("Name"); w.write(member.name)
        w.write("Port"); w.write(UInt64(member.port))
        w.write("ProtocolCur"); w.write(UInt64(member.protocolCur))
        w.write("ProtocolMax"); w.write(UInt64(member.protocolMax))
        w.write("ProtocolMin"); w.write(UInt64(member.protocolMin))
        w.write("Status"); w.write(member.status.goValue)
        w.write("Tags"); w.writeMapHeader(member.tags.count)
        for (k, v) in member.tags.sorted(by: { $0.key < $1.key }) { w.write(k); w.write(v) }
        return [SerfMessageType.conflictResponse.rawValue] + w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> ConflictResponse {
        guard bytes.first == SerfMessageType.conflictResponse.rawValue else { throw .unknownType(bytes.first ?? 0, context: "a conflict response") }
        let f = try WireFields(decoding: bytes.dropFirst(), message: "conflict response")
        let addr = try f.bytes("Addr")
        let endpoint = Endpoint(ip: addr, port: try f.unsigned("Port"))
        return ConflictResponse(member: Member(
            name: try f.string("Name"), address: endpoint.host, port: endpoint.port, tags: try f.stringMap("Tags"),
            status: MemberStatus(goValue: try f.signed("Status")),
            protocolMin: try f.unsigned("ProtocolMin"), protocolMax: try f.unsigned("ProtocolMax"),
            protocolCur: try f.unsigned("ProtocolCur"), delegateMin: try f.unsigned("DelegateMin"),
            delegateMax: try f.unsigned("DelegateMax"), delegateCur: try f.unsigned("DelegateCur")))
    }

    static func addressBytes(_ text: String) -> [UInt8] {
        Endpoint(ipv4: text, port: 0)?.ip ?? []
    }
}

extension KeyRequest {
    public func encoded() -> [UInt8] {
        var m = WireMap(fields: 1)
        m.field("Key", bytes: key)
        return [SerfMessageType.keyRequest.rawValue] + m.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> KeyRequest {
        guard bytes.first == SerfMessageType.keyRequest.rawValue else { throw .unknownType(bytes.first ?? 0, context: "a key request") }
        return KeyRequest(key: try WireFields(decoding: bytes.dropFirst(), message: "key request").bytes("Key"))
    }
}

extension NodeKeyResponse {
    public func encoded() -> [UInt8] {
        var w = MessagePackWriter(profile: .gossip)
        w.writeMapHeader(4)
        w.write("Keys")
        if keys.isEmpty { w.writeNil() } else {
            w.writeArrayHeader(keys.count)
            for k in keys { w.write(k) }
        }
        w.write("Message"); w.write(message)
        w.write("PrimaryKey"); w.write(primaryKey)
        w.write("Result"); w.write(result)
        return [SerfMessageType.keyResponse.rawValue] + w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> NodeKeyResponse {
        guard bytes.first == SerfMessageType.keyResponse.rawValue else { throw .unknownType(bytes.first ?? 0, context: "a key response") }
        let f = try WireFields(decoding: bytes.dropFirst(), message: "key response")
        var keys: [String] = []
        for k in try f.array("Keys") {
            guard let s = k.stringValue else { throw f.wrong("Keys", "a key that is not a string") }
            keys.append(s)
        }
        return NodeKeyResponse(result: try f.bool("Result"), message: try f.string("Message"), keys: keys,
                               primaryKey: try f.string("PrimaryKey"))
    }
}
