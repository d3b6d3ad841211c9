import Crypto
import Foundation

/// Queries that change a balancer (`serftop-server`, `serftop-reload`) carry
/// an HMAC made with a key shared by the balancers and the operators, so
/// that reaching a gossip port is not enough to drain a server.
///
/// The MAC covers the query's name, its payload, the sender's node name and
/// the sender's Lamport query time when it signed. Serf gives the query an
/// ltime at least that high when it goes out, so a balancer accepts a
/// signature only for a query whose ltime is within `window` of the signed
/// one, and only once: a captured query replayed later carries an old time.
public struct ActionKey: Sendable {
    /// The secret's bytes: SymmetricKey is not Sendable, so it is made per use.
    let secret: [UInt8]
    /// How far a query's ltime may be past the signed one (other queries
    /// sent in between move the clock).
    public static let window: UInt64 = 64
    static let marker = "\n#serftop-signature v1 "

    public init(secret: [UInt8]) throws(ActionKeyError) {
        guard secret.count >= 16 else { throw .tooShort(secret.count) }
        self.secret = secret
    }

    /// A key file holds the secret as text (base64 from `generate()`, or any
    /// phrase of 16 bytes or more); surrounding white space is ignored.
    public init(file path: String) throws(ActionKeyError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path, error.localizedDescription)
        }
        try self.init(secret: Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
    }

    /// A new secret for a key file: 32 random bytes, base64.
    public static func generate() -> String {
        Data((0 ..< 32).map { _ in UInt8.random(in: 0 ... 255) }).base64EncodedString()
    }

    func mac(query: String, payload: [UInt8], sender: String, ltime: UInt64) -> String {
        var message = Array("serftop-action\0\(query)\0".utf8)
        message += payload
        message += Array("\0\(sender)\0\(ltime)".utf8)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret))).base64EncodedString()
    }

    /// A value every holder of the key derives alike and nobody else can:
    /// for a secret that must match across balancers (HAProxy's dynamic
    /// cookie key) without a second file to share. Hex, 32 characters.
    public func derived(for purpose: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array("serftop-derived\0\(purpose)".utf8), using: SymmetricKey(data: secret))
        let hex = Array("0123456789abcdef")
        return String(code.prefix(16).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
    }

    /// `payload` with its signature appended.
    public func sign(query: String, payload: [UInt8], sender: String, ltime: UInt64) -> [UInt8] {
        payload + Array("\(Self.marker)\(ltime) \(mac(query: query, payload: payload, sender: sender, ltime: ltime)) \(sender)".utf8)
    }

    /// The payload of a signed query, if its signature holds for a query
    /// that went out at `queryLTime`; why not otherwise.
    public func verify(query: String, signed: [UInt8], queryLTime: UInt64) -> Result<SignedAction, ActionRefusal> {
        guard let action = SignedAction(parsing: signed) else { return .failure(.unsigned) }
        let expected = mac(query: query, payload: action.payload, sender: action.sender, ltime: action.ltime)
        guard constantTimeEqual(Array(expected.utf8), Array(action.mac.utf8)) else { return .failure(.badSignature) }
        guard action.ltime <= queryLTime, queryLTime - action.ltime <= Self.window else {
            return .failure(.stale(signed: action.ltime, query: queryLTime))
        }
        return .success(action)
    }

    private func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// A signed query's parts.
public struct SignedAction: Sendable, Hashable {
    public var payload: [UInt8]
    public var ltime: UInt64
    public var mac: String
    public var sender: String

    init?(parsing signed: [UInt8]) {
        let marker = Array(ActionKey.marker.utf8)
        guard signed.count > marker.count,
              let start = (0 ... signed.count - marker.count).reversed().first(where: { signed[$0 ..< $0 + marker.count].elementsEqual(marker) })
        else { return nil }
        let fields = String(decoding: signed[(start + marker.count)...], as: UTF8.self).split(separator: " ", maxSplits: 2)
        guard fields.count == 3, let ltime = UInt64(fields[0]) else { return nil }
        payload = Array(signed[..<start])
        self.ltime = ltime
        mac = String(fields[1])
        sender = String(fields[2])
    }
}

/// Why a mutating query was not carried out.
public enum ActionRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case noKey
    case unsigned
    case badSignature
    case stale(signed: UInt64, query: UInt64)
    case replayed

    public var description: String {
        switch self {
        case .noKey:
            return "not authorised: this balancer has no action key; start it with --action-key-file FILE (the dashboard and serftop query need the same file)"
        case .unsigned: return "not authorised: the query is not signed (give the sender --action-key-file)"
        case .badSignature: return "not authorised: the signature does not match (a different action key?)"
        case .stale(let s, let q): return "not authorised: signed at query time \(s), received at \(q): a replay, or a clock too far behind"
        case .replayed: return "not authorised: this signed query was already carried out once"
        }
    }
}

public enum ActionKeyError: Error, Sendable, CustomStringConvertible {
    case tooShort(Int)
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .tooShort(let n): return "an action key needs at least 16 bytes, this one has \(n) (make one with `openssl rand -base64 32`)"
        case .unreadable(let path, let why): return "cannot read the action key file \(path): \(why)"
        }
    }
}

/// What one balancer accepted, so that each signature acts once.
public struct ReplayGuard: Sendable {
    private var seen: Set<String> = []
    private var order: [String] = []
    let capacity: Int

    public init(capacity: Int = 4096) { self.capacity = capacity }

    /// False if this signature was accepted before.
    public mutating func accept(_ action: SignedAction) -> Bool {
        guard seen.insert(action.mac).inserted else { return false }
        order.append(action.mac)
        if order.count > capacity { seen.remove(order.removeFirst()) }
        return true
    }
}
