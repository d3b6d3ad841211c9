import MessagePack

/// UDP packets: the wrappers memberlist puts around commands (encryption,
/// CRC, compression, compound), in both directions.
public struct PacketCodec: Sendable {
    /// What one datagram held.
    public struct DecodedPacket: Sendable, Equatable {
        public var messages: [Message] = []
        public var failures: [WireError] = []
    }

    public let keyring: Keyring?
    /// How deep compound and compressed messages may nest.
    static let maxDepth = 4

    public init(keyring: Keyring?) { self.keyring = keyring }

    /// Every command in a datagram, in order; throws on the first part that
    /// cannot be understood. For strict callers (tests, tools).
    public func decode(_ datagram: [UInt8]) throws(WireError) -> [Message] {
        let packet = try decodeEach(datagram)
        if let failure = packet.failures.first { throw failure }
        return packet.messages
    }

    /// Every command in a datagram that could be understood, and why the
    /// others could not. A compound packet is handled part by part, as
    /// memberlist does: one bad part costs that part, not the acks beside it.
    /// Throws only when nothing of the packet can be read (empty, wrong key).
    public func decodeEach(_ datagram: [UInt8]) throws(WireError) -> DecodedPacket {
        guard !datagram.isEmpty else { throw .empty("packet") }
        var plain = datagram
        if let keyring {
            plain = try keyring.open(datagram)
        }
        var out = DecodedPacket()
        unwrap(plain[...], depth: 0, into: &out)
        return out
    }

    func unwrap(_ bytes: ArraySlice<UInt8>, depth: Int, into out: inout DecodedPacket) {
        do throws(WireError) {
            guard let first = bytes.first else { throw .empty("message") }
            guard depth <= Self.maxDepth else { throw .nestedTooDeep("packet") }
            switch MessageType(rawValue: first) {
            case .hasCRC:
                guard bytes.count >= 5 else { throw .truncated("CRC header") }
                let s = bytes.startIndex
                let expected = UInt32(bytes[s + 1]) << 24 | UInt32(bytes[s + 2]) << 16 | UInt32(bytes[s + 3]) << 8 | UInt32(bytes[s + 4])
                let payload = bytes[(s + 5)...]
                let actual = CRC32.checksum(payload)
                guard expected == actual else { throw .badChecksum(expected: expected, actual: actual) }
                unwrap(payload, depth: depth + 1, into: &out)
            case .compound:
                let (parts, truncated) = try Self.splitCompound(bytes)
                for part in parts { unwrap(part, depth: depth + 1, into: &out) }
                if truncated > 0 { out.failures.append(.truncated("\(truncated) compound part(s)")) }
            case .compress:
                let inner = try Self.decompress(bytes.dropFirst())
                unwrap(inner[...], depth: depth + 1, into: &out)
            default:
                out.messages.append(try Message.decode(Array(bytes)))
            }
        } catch {
            out.failures.append(error)
        }
    }

    /// `07 | N | N × uint16 length | parts`: the parts that are whole, and
    /// how many the packet cut short.
    static func splitCompound(_ bytes: ArraySlice<UInt8>) throws(WireError) -> ([ArraySlice<UInt8>], truncated: Int) {
        let s = bytes.startIndex
        guard bytes.count >= 2 else { throw .truncated("compound header") }
        let n = Int(bytes[s + 1])
        guard bytes.count >= 2 + 2 * n else { throw .truncated("compound length table") }
        var offset = s + 2 + 2 * n
        var parts: [ArraySlice<UInt8>] = []
        for i in 0 ..< n {
            let len = Int(bytes[s + 2 + 2 * i]) << 8 | Int(bytes[s + 3 + 2 * i])
            guard offset + len <= bytes.endIndex else { return (parts, n - i) }
            parts.append(bytes[offset ..< offset + len])
            offset += len
        }
        return (parts, 0)
    }

    /// The body of a compress message: msgpack `{Algo, Buf}`.
    static func decompress(_ body: ArraySlice<UInt8>) throws(WireError) -> [UInt8] {
        let f = try WireFields(decoding: body, message: "compressed message")
        let algo: UInt8 = try f.unsigned("Algo")
        guard algo == 0 else { throw .unsupportedCompression(algo) }
        return try LZWDecoder.decode(try f.bytes("Buf"))
    }

    /// One packet from complete commands: alone, or as a compound of up to
    /// 255; with a CRC when the recipient checks them; then encrypted.
    public func encode(parts: [[UInt8]], crc: Bool) throws(WireError) -> [UInt8] {
        var packet = parts.count == 1 ? parts[0] : Self.compound(parts)
        if crc {
            let sum = CRC32.checksum(packet)
            packet = [MessageType.hasCRC.rawValue, UInt8(sum >> 24), UInt8((sum >> 16) & 0xff),
                      UInt8((sum >> 8) & 0xff), UInt8(sum & 0xff)] + packet
        }
        if let keyring { packet = try keyring.seal(packet) }
        return packet
    }

    public static func compound(_ parts: [[UInt8]]) -> [UInt8] {
        let used = parts.prefix(255)
        var out: [UInt8] = [MessageType.compound.rawValue, UInt8(used.count)]
        out.reserveCapacity(2 + used.reduce(0) { $0 + 2 + $1.count })
        for p in used { out.append(UInt8(p.count >> 8)); out.append(UInt8(p.count & 0xff)) }
        for p in used { out.append(contentsOf: p) }
        return out
    }
}
