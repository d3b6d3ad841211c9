public enum MessagePackError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input ends inside a value (more bytes may still arrive on a stream).
    case truncated(offset: Int)
    /// A byte that does not start any msgpack value.
    case invalidByte(UInt8, offset: Int)
    /// Arrays and maps nested deeper than the reader allows.
    case tooDeep(offset: Int)
    /// A string, binary, array or map announces more than the reader allows.
    case tooLong(Int, limit: Int, offset: Int)

    public var description: String {
        switch self {
        case .truncated(let o): return "msgpack input ends early (at byte \(o))"
        case .invalidByte(let b, let o): return "msgpack: byte 0x\(String(b, radix: 16)) at \(o) starts no value"
        case .tooDeep(let o): return "msgpack: nesting deeper than the limit at byte \(o)"
        case .tooLong(let n, let limit, let o): return "msgpack: a value at byte \(o) announces \(n) items or bytes, more than the limit of \(limit)"
        }
    }
}

/// Decodes msgpack values one after another from a byte buffer. Input from
/// the network is untrusted: lengths are checked against the bytes present
/// before anything is allocated, and nesting depth is bounded.
public struct MessagePackReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int
    public let maxDepth: Int
    /// The most bytes (or items) one value may announce. On a stream, a
    /// declared length is refused here, before any of it is waited for, so a
    /// header that promises gigabytes costs nothing.
    public let maxLength: Int

    public init(_ bytes: [UInt8], offset: Int = 0, maxDepth: Int = 32, maxLength: Int = .max) {
        self.bytes = bytes
        self.offset = offset
        self.maxDepth = maxDepth
        self.maxLength = maxLength
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    /// Reads one value; on error the offset is left where the value started.
    public mutating func read() throws(MessagePackError) -> MessagePackValue {
        let start = offset
        do {
            return try readValue(depth: 0)
        } catch {
            offset = start
            throw error
        }
    }

    /// Skips `n` raw bytes (e.g. a user-state blob after a msgpack header).
    public mutating func readRaw(_ n: Int) throws(MessagePackError) -> [UInt8] {
        guard n >= 0, n <= remaining else { throw .truncated(offset: bytes.count) }
        defer { offset += n }
        return Array(bytes[offset ..< offset + n])
    }

    /// Decodes exactly one value from `bytes`, which must hold nothing else.
    public static func decode(_ bytes: [UInt8]) throws(MessagePackError) -> MessagePackValue {
        var r = MessagePackReader(bytes)
        let v = try r.read()
        return v
    }

    private mutating func byte() throws(MessagePackError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    private mutating func be<T: FixedWidthInteger>(_: T.Type) throws(MessagePackError) -> T {
        let n = MemoryLayout<T>.size
        guard remaining >= n else { throw .truncated(offset: bytes.count) }
        var v: T = 0
        for i in 0 ..< n { v = (v << 8) | T(bytes[offset + i]) }
        offset += n
        return v
    }

    private mutating func take(_ n: Int) throws(MessagePackError) -> [UInt8] {
        guard n <= maxLength else { throw .tooLong(n, limit: maxLength, offset: offset) }
        guard n <= remaining else { throw .truncated(offset: bytes.count) }
        defer { offset += n }
        return Array(bytes[offset ..< offset + n])
    }

    private mutating func readValue(depth: Int) throws(MessagePackError) -> MessagePackValue {
        let at = offset
        let b = try byte()
        switch b {
        case 0x00...0x7f: return .uint(UInt64(b))
        case 0x80...0x8f: return try readMap(Int(b & 0x0f), depth: depth, at: at)
        case 0x90...0x9f: return try readArray(Int(b & 0x0f), depth: depth, at: at)
        case 0xa0...0xbf: return .str(try take(Int(b & 0x1f)))
        case 0xc0: return .nil
        case 0xc2: return .bool(false)
        case 0xc3: return .bool(true)
        case 0xc4: return .bin(try take(Int(try be(UInt8.self))))
        case 0xc5: return .bin(try take(Int(try be(UInt16.self))))
        case 0xc6: return .bin(try take(Int(try be(UInt32.self))))
        case 0xc7: let n = Int(try be(UInt8.self)); return try readExt(n)
        case 0xc8: let n = Int(try be(UInt16.self)); return try readExt(n)
        case 0xc9: let n = Int(try be(UInt32.self)); return try readExt(n)
        case 0xca: return .float(Float(bitPattern: try be(UInt32.self)))
        case 0xcb: return .double(Double(bitPattern: try be(UInt64.self)))
        case 0xcc: return .uint(UInt64(try be(UInt8.self)))
        case 0xcd: return .uint(UInt64(try be(UInt16.self)))
        case 0xce: return .uint(UInt64(try be(UInt32.self)))
        case 0xcf: return .uint(try be(UInt64.self))
        case 0xd0: return .int(Int64(Int8(bitPattern: try be(UInt8.self))))
        case 0xd1: return .int(Int64(Int16(bitPattern: try be(UInt16.self))))
        case 0xd2: return .int(Int64(Int32(bitPattern: try be(UInt32.self))))
        case 0xd3: return .int(Int64(bitPattern: try be(UInt64.self)))
        case 0xd4: return try readExt(1)
        case 0xd5: return try readExt(2)
        case 0xd6: return try readExt(4)
        case 0xd7: return try readExt(8)
        case 0xd8: return try readExt(16)
        case 0xd9: return .str(try take(Int(try be(UInt8.self))))
        case 0xda: return .str(try take(Int(try be(UInt16.self))))
        case 0xdb: return .str(try take(Int(try be(UInt32.self))))
        case 0xdc: return try readArray(Int(try be(UInt16.self)), depth: depth, at: at)
        case 0xdd: return try readArray(Int(try be(UInt32.self)), depth: depth, at: at)
        case 0xde: return try readMap(Int(try be(UInt16.self)), depth: depth, at: at)
        case 0xdf: return try readMap(Int(try be(UInt32.self)), depth: depth, at: at)
        case 0xe0...0xff: return .int(Int64(Int8(bitPattern: b)))
        default: throw .invalidByte(b, offset: at) // 0xc1 is never used
        }
    }

    private mutating func readExt(_ n: Int) throws(MessagePackError) -> MessagePackValue {
        let type = Int8(bitPattern: try byte())
        return .ext(type: type, data: try take(n))
    }

    private mutating func readArray(_ n: Int, depth: Int, at: Int) throws(MessagePackError) -> MessagePackValue {
        guard depth < maxDepth else { throw .tooDeep(offset: at) }
        guard n <= maxLength else { throw .tooLong(n, limit: maxLength, offset: at) }
        // Every element takes at least one byte: a count larger than what is
        // left cannot be real, and must not drive an allocation.
        guard n <= remaining else { throw .truncated(offset: bytes.count) }
        var items: [MessagePackValue] = []
        items.reserveCapacity(n)
        for _ in 0 ..< n { items.append(try readValue(depth: depth + 1)) }
        return .array(items)
    }

    private mutating func readMap(_ n: Int, depth: Int, at: Int) throws(MessagePackError) -> MessagePackValue {
        guard depth < maxDepth else { throw .tooDeep(offset: at) }
        guard n <= maxLength else { throw .tooLong(n, limit: maxLength, offset: at) }
        guard n <= remaining / 2 else { throw .truncated(offset: bytes.count) }
        var entries: [MessagePackValue.MapEntry] = []
        entries.reserveCapacity(n)
        for _ in 0 ..< n {
            let k = try readValue(depth: depth + 1)
            let v = try readValue(depth: depth + 1)
            entries.append(.init(k, v))
        }
        return .map(entries)
    }
}
