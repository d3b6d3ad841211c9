/// Which msgpack dialect to emit. Both peers are Go's go-msgpack codec, but
/// configured differently on the two paths we talk to.
public enum MessagePackProfile: Sendable {
    /// memberlist/Serf gossip: `[]byte` goes out as str, and str8 (0xd9) is
    /// never used (old msgpack spec without WriteExt).
    case gossip
    /// Serf agent RPC: `[]byte` goes out as bin, strings may use str8.
    case rpc
}

/// Appends msgpack to a byte array.
public struct MessagePackWriter: Sendable {
    public let profile: MessagePackProfile
    public private(set) var bytes: [UInt8] = []

    public init(profile: MessagePackProfile, capacity: Int = 64) {
        self.profile = profile
        bytes.reserveCapacity(capacity)
    }

    public mutating func writeNil() { bytes.append(0xc0) }

    public mutating func write(_ b: Bool) { bytes.append(b ? 0xc3 : 0xc2) }

    public mutating func write(_ v: UInt64) {
        switch v {
        case 0...0x7f: bytes.append(UInt8(v))
        case 0x80...0xff: bytes.append(0xcc); bytes.append(UInt8(v))
        case 0x100...0xffff: bytes.append(0xcd); appendBE(UInt16(v))
        case 0x1_0000...0xffff_ffff: bytes.append(0xce); appendBE(UInt32(v))
        default: bytes.append(0xcf); appendBE(v)
        }
    }

    /// Signed integers: non-negative values use the unsigned forms, as Go does.
    public mutating func write(_ v: Int64) {
        if v >= 0 { write(UInt64(v)); return }
        switch v {
        case -32 ..< 0: bytes.append(UInt8(bitPattern: Int8(v)))
        case Int64(Int8.min) ..< -32: bytes.append(0xd0); bytes.append(UInt8(bitPattern: Int8(v)))
        case Int64(Int16.min) ..< Int64(Int8.min): bytes.append(0xd1); appendBE(UInt16(bitPattern: Int16(v)))
        case Int64(Int32.min) ..< Int64(Int16.min): bytes.append(0xd2); appendBE(UInt32(bitPattern: Int32(v)))
        default: bytes.append(0xd3); appendBE(UInt64(bitPattern: v))
        }
    }

    public mutating func write(_ v: Int) { write(Int64(v)) }

    public mutating func write(_ d: Double) { bytes.append(0xcb); appendBE(d.bitPattern) }

    public mutating func write(_ f: Float) { bytes.append(0xca); appendBE(f.bitPattern) }

    public mutating func write(_ s: String) { writeStr(Array(s.utf8)) }

    /// A Go `[]byte` field: str on the gossip path, bin on the RPC path.
    public mutating func writeBytes(_ b: [UInt8]) {
        switch profile {
        case .gossip: writeStr(b)
        case .rpc: writeBin(b)
        }
    }

    public mutating func writeStr(_ b: [UInt8]) {
        let n = b.count
        if n < 32 {
            bytes.append(0xa0 | UInt8(n))
        } else if n <= 0xff && profile == .rpc {
            bytes.append(0xd9); bytes.append(UInt8(n))
        } else if n <= 0xffff {
            bytes.append(0xda); appendBE(UInt16(n))
        } else {
            bytes.append(0xdb); appendBE(UInt32(n))
        }
        bytes.append(contentsOf: b)
    }

    public mutating func writeBin(_ b: [UInt8]) {
        let n = b.count
        if n <= 0xff {
            bytes.append(0xc4); bytes.append(UInt8(n))
        } else if n <= 0xffff {
            bytes.append(0xc5); appendBE(UInt16(n))
        } else {
            bytes.append(0xc6); appendBE(UInt32(n))
        }
        bytes.append(contentsOf: b)
    }

    public mutating func writeArrayHeader(_ n: Int) {
        if n < 16 { bytes.append(0x90 | UInt8(n)) }
        else if n <= 0xffff { bytes.append(0xdc); appendBE(UInt16(n)) }
        else { bytes.append(0xdd); appendBE(UInt32(n)) }
    }

    public mutating func writeMapHeader(_ n: Int) {
        if n < 16 { bytes.append(0x80 | UInt8(n)) }
        else if n <= 0xffff { bytes.append(0xde); appendBE(UInt16(n)) }
        else { bytes.append(0xdf); appendBE(UInt32(n)) }
    }

    public mutating func write(_ value: MessagePackValue) {
        switch value {
        case .nil: writeNil()
        case .bool(let b): write(b)
        case .int(let v): write(v)
        case .uint(let v): write(v)
        case .float(let f): write(f)
        case .double(let d): write(d)
        case .str(let b): writeStr(b)
        case .bin(let b): writeBin(b)
        case .array(let items):
            writeArrayHeader(items.count)
            for item in items { write(item) }
        case .map(let entries):
            writeMapHeader(entries.count)
            for e in entries { write(e.key); write(e.value) }
        case .ext(let type, let data):
            switch data.count {
            case 1: bytes.append(0xd4)
            case 2: bytes.append(0xd5)
            case 4: bytes.append(0xd6)
            case 8: bytes.append(0xd7)
            case 16: bytes.append(0xd8)
            case let n where n <= 0xff: bytes.append(0xc7); bytes.append(UInt8(n))
            case let n where n <= 0xffff: bytes.append(0xc8); appendBE(UInt16(n))
            default: bytes.append(0xc9); appendBE(UInt32(data.count))
            }
            bytes.append(UInt8(bitPattern: type))
            bytes.append(contentsOf: data)
        }
    }

    /// Appends bytes that are already encoded (a nested message body).
    public mutating func writeRaw(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    private mutating func appendBE<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }
}

extension MessagePackValue {
    /// This value encoded in `profile`. `.str` and `.bin` are written as they are;
    /// profiles only matter for `writeBytes` and for the str8 choice.
    public func encoded(profile: MessagePackProfile) -> [UInt8] {
        var w = MessagePackWriter(profile: profile)
        w.write(self)
        return w.bytes
    }
}
