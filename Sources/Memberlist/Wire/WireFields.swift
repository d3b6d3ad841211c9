import MessagePack

/// Reads the fields of a msgpack map the way Go's decoder does: missing
/// fields take the zero value, unknown ones are ignored, integers of any
/// width are accepted if they fit, and `[]byte` may come as str, bin, nil or
/// an array of small integers.
public struct WireFields {
    public let message: String
    let entries: [String: MessagePackValue]

    public init(_ value: MessagePackValue, message: String) throws(WireError) {
        self.message = message
        guard let list = value.mapEntries else {
            throw .malformed(message: message, field: nil, reason: "expected a map of fields")
        }
        var entries: [String: MessagePackValue] = [:]
        for e in list {
            guard let key = e.key.stringValue else {
                throw .malformed(message: message, field: nil, reason: "a field name that is not a string")
            }
            entries[key] = e.value
        }
        self.entries = entries
    }

    /// Decodes one msgpack value from `bytes` and reads it as a struct.
    public init(decoding bytes: some Collection<UInt8>, message: String) throws(WireError) {
        let value: MessagePackValue
        do {
            value = try MessagePackReader.decode(Array(bytes))
        } catch {
            throw .malformed(message: message, field: nil, reason: "\(error)")
        }
        try self.init(value, message: message)
    }

    public func has(_ field: String) -> Bool { entries[field].map { !$0.isNil } ?? false }

    public func raw(_ field: String) -> MessagePackValue? { entries[field] }

    public func string(_ field: String) throws(WireError) -> String {
        guard let v = entries[field], !v.isNil else { return "" }
        guard let s = v.stringValue else { throw wrong(field, "expected a string") }
        return s
    }

    public func bytes(_ field: String) throws(WireError) -> [UInt8] {
        guard let v = entries[field] else { return [] }
        guard let b = v.bytesValue else { throw wrong(field, "expected bytes") }
        return b
    }

    public func optionalBytes(_ field: String) throws(WireError) -> [UInt8]? {
        guard let v = entries[field], !v.isNil else { return nil }
        return try bytes(field)
    }

    public func unsigned<T: FixedWidthInteger & UnsignedInteger>(_ field: String, _: T.Type = T.self) throws(WireError) -> T {
        guard let v = entries[field], !v.isNil else { return 0 }
        guard let u = v.uint64Value else { throw wrong(field, "expected a non-negative integer") }
        guard let t = T(exactly: u) else { throw wrong(field, "\(u) does not fit in \(T.bitWidth) bits") }
        return t
    }

    public func signed(_ field: String) throws(WireError) -> Int64 {
        guard let v = entries[field], !v.isNil else { return 0 }
        guard let i = v.int64Value else { throw wrong(field, "expected an integer") }
        return i
    }

    public func bool(_ field: String) throws(WireError) -> Bool {
        guard let v = entries[field], !v.isNil else { return false }
        guard let b = v.boolValue else { throw wrong(field, "expected true or false") }
        return b
    }

    public func stringMap(_ field: String) throws(WireError) -> [String: String] {
        guard let v = entries[field], !v.isNil else { return [:] }
        guard let m = v.stringMapValue else { throw wrong(field, "expected a map of strings") }
        return m
    }

    public func array(_ field: String) throws(WireError) -> [MessagePackValue] {
        guard let v = entries[field] else { return [] }
        guard let a = v.arrayValue else { throw wrong(field, "expected an array") }
        return a
    }

    public func wrong(_ field: String, _ reason: String) -> WireError {
        .malformed(message: message, field: field, reason: reason)
    }
}

/// Writes a Go struct as a msgpack map. Go emits fields sorted by name; the
/// caller lists them in that order.
public struct WireMap {
    public var writer: MessagePackWriter

    public init(fields: Int, capacity: Int = 64) {
        writer = MessagePackWriter(profile: .gossip, capacity: capacity)
        writer.writeMapHeader(fields)
    }

    public mutating func field(_ name: String, _ value: String) { writer.write(name); writer.write(value) }
    public mutating func field(_ name: String, bytes: [UInt8]) { writer.write(name); writer.writeBytes(bytes) }
    /// A `[]byte` that Go holds as nil: written as msgpack nil.
    public mutating func field(_ name: String, nilableBytes: [UInt8]?) {
        writer.write(name)
        if let b = nilableBytes { writer.writeBytes(b) } else { writer.writeNil() }
    }
    public mutating func field(_ name: String, _ value: UInt64) { writer.write(name); writer.write(value) }
    public mutating func field(_ name: String, _ value: Int64) { writer.write(name); writer.write(value) }
    public mutating func field(_ name: String, _ value: Bool) { writer.write(name); writer.write(value) }
    public mutating func field(_ name: String, raw: [UInt8]) { writer.write(name); writer.writeRaw(raw) }

    public var bytes: [UInt8] { writer.bytes }
}
