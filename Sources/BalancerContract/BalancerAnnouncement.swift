import HAProxy

/// What a balancer tells the whole cluster after it applied a render (or
/// refused or held one back), as a Serf user event, so that every dashboard
/// shows it and not only the one that asked.
///
/// Any member can send a user event under this name, and nothing signs it:
/// an announcement is information, never a reason to act. The payload is
/// read as hostile: anything off the grammar is refused whole.
///
/// The payload is UTF-8 text, one `key value` per line, the first line the
/// version:
///
///     v1
///     balancer ha
///     kind reloaded            (updated, reloaded, installed, refused or held)
///     servers 4
///     reload 12
///     added web4 web5          (HAProxy server names, space separated)
///     removed web2
///     more 3                   (names left out to stay within the size)
///     reason TEXT              (refused and held only)
///
/// Unknown keys are skipped, so that a later v1 may say more; a key given
/// twice, a bad number or a bad name makes the payload unreadable.
public struct BalancerAnnouncement: Sendable, Hashable {
    /// The Serf user event's name.
    public static let eventName = "serftop-applied"
    public static let version = "v1"
    /// Serf refuses a user event whose name and payload exceed 512 bytes.
    public static let maxPayload = 512 - eventName.utf8.count - 32
    /// Leaves room for names in `maxPayload`.
    public static let maxReason = 160

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Installed, and the running HAProxy changed through its runtime
        /// API, without a reload.
        case updated
        /// Installed and reloaded through the master CLI.
        case reloaded
        /// Installed, not reloaded (no master CLI, or HAProxy not running).
        case installed
        /// HAProxy (`haproxy -c`) or the reload refused it.
        case refused
        /// Held back: it would remove too many servers at once.
        case held
    }

    /// The balancer's member name, as it calls itself.
    public var balancer: String
    public var kind: Kind
    /// The servers in the file after it (for refused and held: in the render).
    public var servers: Int
    /// How many reloads this balancer has made since it started.
    public var reload: Int
    public var added: [HAProxyName]
    public var removed: [HAProxyName]
    /// Added and removed names not listed, to stay within `maxPayload`.
    public var more: Int
    public var reason: String?

    public init(balancer: String, kind: Kind, servers: Int, reload: Int,
                added: [HAProxyName] = [], removed: [HAProxyName] = [], more: Int = 0, reason: String? = nil) {
        self.balancer = balancer
        self.kind = kind
        self.servers = servers
        self.reload = reload
        self.added = added
        self.removed = removed
        self.more = more
        self.reason = reason
    }

    // MARK: Writing

    /// The payload, within `maxPayload`: names that do not fit are counted
    /// in `more`, the reason is cut, control characters become spaces.
    public var encoded: [UInt8] {
        var head = "\(Self.version)\nbalancer \(Self.oneLine(balancer, max: HAProxyName.maxLength))\nkind \(kind.rawValue)\n"
            + "servers \(max(0, servers))\nreload \(max(0, reload))\n"
        if let reason { head += "reason \(Self.oneLine(reason, max: Self.maxReason))\n" }
        // Room for the lists and the `more` line, whatever its count.
        var room = Self.maxPayload - head.utf8.count - "more 9999999999\n".utf8.count
        var lines: [String] = []
        var left = max(0, more)
        for (key, names) in [("added", added), ("removed", removed)] where !names.isEmpty {
            var line = key
            for (i, name) in names.enumerated() {
                let cost = name.text.utf8.count + 1
                let opening = line == key ? key.utf8.count + 1 : 0
                guard cost + opening <= room else {
                    left += names.count - i
                    break
                }
                room -= cost + opening
                line += " " + name.text
            }
            if line != key { lines.append(line) }
        }
        if left > 0 { lines.append("more \(left)") }
        return Array((head + lines.map { $0 + "\n" }.joined()).utf8)
    }

    static func oneLine(_ text: String, max: Int) -> String {
        var out = ""
        for s in text.unicodeScalars {
            let c: Unicode.Scalar = s.properties.generalCategory == .control ? " " : s
            guard out.utf8.count + String(c).utf8.count <= max else { break }
            out.unicodeScalars.append(c)
        }
        return out
    }

    // MARK: Reading

    /// The announcement a user event carries; why it is unreadable otherwise.
    public init(payload: [UInt8]) throws(BalancerAnnouncementError) {
        guard payload.count <= Self.maxPayload else { throw .tooLong(payload.count) }
        guard let text = String(validating: payload, as: UTF8.self) else { throw .notText }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let first = lines.first else { throw .empty }
        guard first == Self.version else { throw .version(HAProxyName.quoted(first)) }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let space = line.firstIndex(of: " ") else { throw .badLine(HAProxyName.quoted(line)) }
            let key = String(line[..<space]), value = String(line[line.index(after: space)...])
            guard fields[key] == nil else { throw .repeated(HAProxyName.quoted(key)) }
            if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw .badLine(HAProxyName.quoted(line))
            }
            fields[key] = value
        }
        func number(_ key: String, required: Bool) throws(BalancerAnnouncementError) -> Int {
            guard let text = fields[key] else {
                if required { throw .missing(key) }
                return 0
            }
            guard text.utf8.count <= 10, text.allSatisfy(\.isASCII), let n = Int(text), n >= 0 else {
                throw .badNumber(key, HAProxyName.quoted(text))
            }
            return n
        }
        func names(_ key: String) throws(BalancerAnnouncementError) -> [HAProxyName] {
            guard let text = fields[key] else { return [] }
            var out: [HAProxyName] = []
            for word in text.split(separator: " ", omittingEmptySubsequences: false) {
                do {
                    out.append(try HAProxyName(String(word), .server))
                } catch {
                    throw .badName(key, HAProxyName.quoted(String(word)))
                }
            }
            return out
        }
        guard let balancer = fields["balancer"], !balancer.isEmpty, balancer.utf8.count <= HAProxyName.maxLength else {
            throw .missing("balancer")
        }
        guard let kindText = fields["kind"] else { throw .missing("kind") }
        guard let kind = Kind(rawValue: kindText) else { throw .badKind(HAProxyName.quoted(kindText)) }
        self.balancer = balancer
        self.kind = kind
        servers = try number("servers", required: true)
        reload = try number("reload", required: true)
        added = try names("added")
        removed = try names("removed")
        more = try number("more", required: false)
        reason = fields["reason"]
    }

    /// The balancer's name as the payload gives it, when it gives one that
    /// can be shown: who to name for an unreadable announcement.
    public static func claimedBalancer(in payload: [UInt8]) -> String? {
        guard payload.count <= maxPayload, let text = String(validating: payload, as: UTF8.self) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("balancer ") {
            let name = String(line.dropFirst("balancer ".count))
            return name.isEmpty || name.utf8.count > HAProxyName.maxLength ? nil : name
        }
        return nil
    }
}

/// Why a payload is not an announcement.
public enum BalancerAnnouncementError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLong(Int)
    case notText
    case empty
    case version(String)
    case badLine(String)
    case repeated(String)
    case missing(String)
    case badKind(String)
    case badNumber(String, String)
    case badName(String, String)

    public var description: String {
        switch self {
        case .tooLong(let n): return "\(n) bytes long (at most \(BalancerAnnouncement.maxPayload))"
        case .notText: return "not UTF-8 text"
        case .empty: return "empty"
        case .version(let v): return "version \(v), this serftop reads \(BalancerAnnouncement.version)"
        case .badLine(let l): return "bad line \(l)"
        case .repeated(let k): return "\(k) given twice"
        case .missing(let k): return "no \(k)"
        case .badKind(let k): return "unknown kind \(k)"
        case .badNumber(let k, let v): return "\(k) is not a count: \(v)"
        case .badName(let k, let v): return "\(k) has a name HAProxy would not take: \(v)"
        }
    }
}
