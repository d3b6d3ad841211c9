import Crypto
import Foundation

/// The gossip encryption keys: AES-GCM with 16, 24 or 32-byte keys, the
/// first one primary. We encrypt with the primary and decrypt with any, so a
/// cluster can rotate keys without a gap (install, use, remove).
public struct Keyring: Sendable, Equatable {
    public private(set) var keys: [[UInt8]]

    /// Version byte, 12-byte nonce, 16-byte tag.
    public static let packetOverhead = 1 + 12 + 16

    public init(keys: [[UInt8]]) throws(WireError) {
        guard !keys.isEmpty else { throw .badKey("the keyring is empty") }
        for key in keys { try Self.check(key) }
        self.keys = keys
    }

    public var primary: [UInt8] { keys[0] }

    static func check(_ key: [UInt8]) throws(WireError) {
        guard [16, 24, 32].contains(key.count) else {
            throw .badKey("a key must be 16, 24 or 32 bytes (AES-128/192/256), this one is \(key.count)")
        }
    }

    /// A key as `serf keygen` prints it: standard base64.
    public static func decodeKey(_ base64: String) throws(WireError) -> [UInt8] {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .badKey("'\(base64)' is not base64 (make one with `serf keygen`)")
        }
        let key = [UInt8](data)
        try check(key)
        return key
    }

    public static func encodeKey(_ key: [UInt8]) -> String { Data(key).base64EncodedString() }

    /// A keyring file as the agent keeps it: a JSON array of base64 keys.
    public static func load(file path: String) throws(WireError) -> Keyring {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .badKey("cannot read keyring file \(path): \(error.localizedDescription)")
        }
        guard let list = try? JSONSerialization.jsonObject(with: data) as? [String] else {
            throw .badKey("\(path) is not a JSON array of base64 keys")
        }
        var keys: [[UInt8]] = []
        for entry in list { keys.append(try decodeKey(entry)) }
        return try Keyring(keys: keys)
    }

    /// Writes the keyring as the agent does after a rotation (primary
    /// first, readable by its owner only), atomically: a reader sees the old
    /// file or the new one, never half of one.
    public func save(file path: String) throws(WireError) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: 0 ... .max))")
        do {
            let data = try JSONSerialization.data(withJSONObject: keys.map(Self.encodeKey), options: [.prettyPrinted])
            guard FileManager.default.createFile(atPath: temporary.path, contents: data,
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
            guard rename(temporary.path, url.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .badKey("cannot write keyring file \(path): \(error.localizedDescription)")
        }
    }

    // MARK: Rotation, as the `_serf_*-key` queries ask

    public mutating func install(_ key: [UInt8]) throws(WireError) {
        try Self.check(key)
        if !keys.contains(key) { keys.append(key) }
    }

    public mutating func use(_ key: [UInt8]) throws(WireError) {
        guard let i = keys.firstIndex(of: key) else { throw .badKey("the key is not installed") }
        keys.swapAt(0, i)
    }

    public mutating func remove(_ key: [UInt8]) throws(WireError) {
        guard keys.first != key else { throw .badKey("the primary key cannot be removed") }
        keys.removeAll { $0 == key }
    }

    // MARK: Sealing

    /// `1 | nonce | ciphertext | tag`, sealed with the primary key.
    public func seal(_ plaintext: [UInt8], authenticating aad: [UInt8] = []) throws(WireError) -> [UInt8] {
        do {
            let box = try AES.GCM.seal(plaintext, using: SymmetricKey(data: primary), nonce: AES.GCM.Nonce(),
                                       authenticating: aad)
            return [1] + Array(box.nonce) + Array(box.ciphertext) + Array(box.tag)
        } catch {
            throw .decryptionFailed("sealing failed: \(error)")
        }
    }

    /// Opens what `seal` made, trying every key. Version 0 (memberlist
    /// protocol 1) is padded PKCS#7, stripped here.
    public func open(_ sealed: some Collection<UInt8>, authenticating aad: [UInt8] = []) throws(WireError) -> [UInt8] {
        let bytes = Array(sealed)
        guard bytes.count >= Self.packetOverhead else { throw .decryptionFailed("only \(bytes.count) bytes") }
        let version = bytes[0]
        guard version <= 1 else { throw .decryptionFailed("unknown encryption version \(version)") }
        let nonce = bytes[1 ..< 13], body = bytes[13 ..< bytes.count - 16], tag = bytes[(bytes.count - 16)...]
        for key in keys {
            guard let box = try? AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: body, tag: tag),
                  let plain = try? AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: aad)
            else { continue }
            var out = [UInt8](plain)
            if version == 0 {
                guard let pad = out.last, pad > 0, Int(pad) <= out.count else {
                    throw .decryptionFailed("bad padding")
                }
                out.removeLast(Int(pad))
            }
            return out
        }
        throw .decryptionFailed("no key in the keyring opens it")
    }
}
