/// One msgpack value as it stood on the wire.
///
/// Strings are kept as raw bytes: the Go gossip codec writes `[]byte` fields
/// (IP addresses, tags, payloads) in the str family, so a "string" on the wire
/// need not be UTF-8. Callers pick `stringValue` or `bytesValue` by field.
public enum MessagePackValue: Sendable, Hashable {
    case `nil`
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case float(Float)
    case double(Double)
    case str([UInt8])
    case bin([UInt8])
    case array([MessagePackValue])
    /// Entries in wire order; keys need not be unique on the wire.
    case map([MapEntry])
    case ext(type: Int8, data: [UInt8])

    public struct MapEntry: Sendable, Hashable {
        public var key: MessagePackValue
        public var value: MessagePackValue
        public init(_ key: MessagePackValue, _ value: MessagePackValue) {
            self.key = key
            self.value = value
        }
    }

    public static func string(_ s: String) -> MessagePackValue { .str(Array(s.utf8)) }

    /// A map from string keys, in the given order.
    public static func map(_ pairs: KeyValuePairs<String, MessagePackValue>) -> MessagePackValue {
        .map(pairs.map { MapEntry(.string($0.key), $0.value) })
    }

    public static func stringMap(_ dict: [String: String]) -> MessagePackValue {
        .map(dict.sorted { $0.key < $1.key }.map { MapEntry(.string($0.key), .string($0.value)) })
    }
}

// MARK: - Reading fields

extension MessagePackValue {
    public var isNil: Bool { if case .nil = self { return true } else { return false } }

    /// A str value as UTF-8 text (invalid bytes repaired). bin is accepted too,
    /// because the agent RPC may carry text as bin.
    public var stringValue: String? {
        switch self {
        case .str(let b), .bin(let b): return String(decoding: b, as: UTF8.self)
        default: return nil
        }
    }

    /// A `[]byte` field: str, bin, nil (empty) or an array of small ints, which
    /// is everything Go's decoder accepts for it.
    public var bytesValue: [UInt8]? {
        switch self {
        case .str(let b), .bin(let b): return b
        case .nil: return []
        case .array(let items):
            var out: [UInt8] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard let v = item.uint64Value, v <= 255 else { return nil }
                out.append(UInt8(v))
            }
            return out
        default: return nil
        }
    }

    public var uint64Value: UInt64? {
        switch self {
        case .uint(let v): return v
        case .int(let v): return v >= 0 ? UInt64(v) : nil
        default: return nil
        }
    }

    public var int64Value: Int64? {
        switch self {
        case .int(let v): return v
        case .uint(let v): return v <= UInt64(Int64.max) ? Int64(v) : nil
        default: return nil
        }
    }

    public func unsigned<T: FixedWidthInteger & UnsignedInteger>(_: T.Type = T.self) -> T? {
        uint64Value.flatMap { T(exactly: $0) }
    }

    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    public var doubleValue: Double? {
        switch self {
        case .double(let d): return d
        case .float(let f): return Double(f)
        case .int(let v): return Double(v)
        case .uint(let v): return Double(v)
        default: return nil
        }
    }

    public var arrayValue: [MessagePackValue]? {
        switch self {
        case .array(let a): return a
        case .nil: return []
        default: return nil
        }
    }

    public var mapEntries: [MapEntry]? {
        switch self {
        case .map(let m): return m
        case .nil: return []
        default: return nil
        }
    }

    /// A `map[string]string` (tags); nil if any key or value is not a string.
    public var stringMapValue: [String: String]? {
        guard let entries = mapEntries else { return nil }
        var out: [String: String] = [:]
        for e in entries {
            guard let k = e.key.stringValue, let v = e.value.stringValue else { return nil }
            out[k] = v
        }
        return out
    }

    /// The value under a string key of a map (case-sensitive, as Go matches
    /// struct fields); nil when absent or when this is not a map.
    public subscript(key: String) -> MessagePackValue? {
        guard case .map(let entries) = self else { return nil }
        let k = Array(key.utf8)
        for e in entries {
            switch e.key {
            case .str(let b) where b == k: return e.value
            case .bin(let b) where b == k: return e.value
            default: continue
            }
        }
        return nil
    }
}
