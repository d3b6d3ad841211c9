/// Why bytes from the network could not be understood. Every case says what
/// was wrong in words; nothing from the network is ever allowed to trap.
public enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty(String)
    case truncated(String)
    case unknownType(UInt8, context: String)
    case malformed(message: String, field: String?, reason: String)
    case badChecksum(expected: UInt32, actual: UInt32)
    case decryptionFailed(String)
    case encryptionExpected
    case encryptionNotConfigured
    case tooLarge(String, size: Int, limit: Int)
    case nestedTooDeep(String)
    case unsupportedCompression(UInt8)
    case badKey(String)

    public var description: String {
        switch self {
        case .empty(let what): return "empty \(what)"
        case .truncated(let what): return "\(what) ends early"
        case .unknownType(let t, let context): return "unknown message type \(t) in \(context)"
        case .malformed(let m, let f, let r):
            return f.map { "\(m): field \($0): \(r)" } ?? "\(m): \(r)"
        case .badChecksum(let e, let a):
            return "CRC mismatch: packet says \(String(e, radix: 16)), contents give \(String(a, radix: 16))"
        case .decryptionFailed(let why): return "cannot decrypt: \(why) (is the gossip key the cluster's?)"
        case .encryptionExpected: return "plaintext gossip arrived, but this member encrypts: the sender lacks the key"
        case .encryptionNotConfigured: return "encrypted gossip arrived, but no key is configured (--encrypt)"
        case .tooLarge(let what, let size, let limit): return "\(what) of \(size) bytes exceeds the limit of \(limit)"
        case .nestedTooDeep(let what): return "\(what) nests compound or compressed messages too deeply"
        case .unsupportedCompression(let a): return "unknown compression algorithm \(a) (only LZW, 0, exists)"
        case .badKey(let why): return "bad gossip key: \(why)"
        }
    }
}
