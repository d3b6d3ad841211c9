/// A backend or server name as HAProxy itself accepts it: ASCII letters,
/// digits, `-`, `_`, `.` and `:` (HAProxy's `invalid_char`), at most
/// `maxLength` bytes. Every name that goes to the runtime API, the master
/// CLI, the stats admin form or the configuration is one of these, so a
/// name is only ever data there: none of these characters is syntax in a
/// CLI line (`;`, space, newline), a form, or a config line.
public struct HAProxyName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let text: String

    /// Serf's own limit on node names (`ValidateNodeNames`); HAProxy has none,
    /// but a name longer than this is not a host's name.
    public static let maxLength = 128

    public enum Kind: String, Sendable { case server, backend }

    public init(_ text: String, _ kind: Kind = .server) throws(HAProxyError) {
        if let problem = Self.problem(text) { throw .invalidName(kind: kind.rawValue, name: Self.quoted(text), problem) }
        self.text = text
    }

    /// The one mapping from a gossip member's name to its server name, used
    /// by the balancer to write servers and by the dashboard to join members
    /// with HAProxy's rows and to act on them: the same name, or none when
    /// HAProxy would not take it. Names are never rewritten: a rewritten
    /// name (`a;b` → `a_b`) can collide with another member's, and every
    /// reader would have to rewrite it the same way to find the node again.
    public static func server(forMember name: String) -> Result<HAProxyName, HAProxyError> {
        Result { () throws(HAProxyError) in try HAProxyName(name, .server) }
    }

    /// Why HAProxy would refuse `text` as a name, or nil.
    public static func problem(_ text: String) -> String? {
        if text.isEmpty { return "it is empty" }
        if text.utf8.count > maxLength { return "it is \(text.utf8.count) bytes long (at most \(maxLength))" }
        guard let bad = text.unicodeScalars.first(where: { !Self.allowed($0) }) else { return nil }
        return "it contains \(Self.describe(bad))"
    }

    static func allowed(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "a" ... "z", "A" ... "Z", "0" ... "9", "-", "_", ".", ":": return true
        default: return false
        }
    }

    static func describe(_ s: Unicode.Scalar) -> String {
        switch s {
        case "\n": return "a newline"
        case " ": return "a space"
        case "\t": return "a tab"
        default:
            if s.properties.generalCategory == .control || !s.isASCII { return "the character U+\(String(s.value, radix: 16, uppercase: true))" }
            return "'\(s)'"
        }
    }

    /// A hostile name as it can be shown in one line of a message: control
    /// characters escaped, long names cut.
    public static func quoted(_ text: String) -> String {
        var out = ""
        for s in text.unicodeScalars.prefix(60) {
            if s.properties.generalCategory == .control || s == "'" || s == "\\" {
                out += s.escaped(asASCII: true)
            } else {
                out.unicodeScalars.append(s)
            }
        }
        return "'" + out + (text.unicodeScalars.count > 60 ? "…" : "") + "'"
    }

    public static let rule = "letters, digits, '-', '_', '.' and ':' only, at most \(maxLength) bytes"

    public static func < (a: HAProxyName, b: HAProxyName) -> Bool { a.text < b.text }

    public var description: String { text }
}

/// For names written in the code ("nodes"), which are checked when it runs.
extension HAProxyName: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) {
        precondition(Self.problem(text) == nil, "\(text) is not a HAProxy name: \(Self.problem(text)!)")
        self.text = text
    }
}

/// `backend/server`, both names checked.
public struct ServerTarget: Sendable, Hashable, CustomStringConvertible {
    public let backend: HAProxyName
    public let server: HAProxyName

    public init(backend: HAProxyName, server: HAProxyName) {
        self.backend = backend
        self.server = server
    }

    public init(backend: String, server: String) throws(HAProxyError) {
        self.backend = try HAProxyName(backend, .backend)
        self.server = try HAProxyName(server, .server)
    }

    public var description: String { "\(backend)/\(server)" }
}
