import Serf

/// One `server` line of the generated configuration.
public struct BackendServer: Sendable, Hashable, Comparable {
    /// The member's name, made safe for HAProxy (letters, digits, `-_.:`).
    public var name: String
    public var address: String
    public var port: UInt16
    public var tags: [String: String]

    public init(name: String, address: String, port: UInt16, tags: [String: String] = [:]) {
        self.name = name
        self.address = address
        self.port = port
        self.tags = tags
    }

    public static func < (a: BackendServer, b: BackendServer) -> Bool { a.name < b.name }

    /// `addr:port`, with brackets around an IPv6 address.
    public var endpoint: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }

    /// HAProxy refuses other characters in server names; member names rarely
    /// have them, but one bad name must not break the whole configuration.
    public static func safeName(_ name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")
        let mapped = String(name.map { allowed.contains($0) ? $0 : "_" })
        return mapped.isEmpty ? "_" : mapped
    }
}

/// Which members become servers: those with the backend role, their port from
/// a tag or the default.
public struct ServerSelection: Sendable {
    public var role: String
    public var portTag: String
    public var defaultPort: UInt16

    public init(role: String = "backend", portTag: String = "port", defaultPort: UInt16 = 3000) {
        self.role = role
        self.portTag = portTag
        self.defaultPort = defaultPort
    }

    public func isBackend(_ member: Member) -> Bool { member.tags["role"] == role }

    public func server(for member: Member) -> BackendServer {
        let port = member.tags[portTag].flatMap { UInt16($0) }.flatMap { $0 == 0 ? nil : $0 } ?? defaultPort
        return BackendServer(name: BackendServer.safeName(member.name), address: member.address, port: port,
                             tags: member.tags)
    }

    /// The servers for the alive backends, sorted by name so that the same
    /// membership always renders the same file.
    public func servers(from members: [Member]) -> [BackendServer] {
        var byName: [String: BackendServer] = [:]
        for m in members where m.status.isUp && isBackend(m) {
            byName[BackendServer.safeName(m.name)] = server(for: m)
        }
        return byName.values.sorted()
    }

    /// Backends that are on their way out gracefully, by server name.
    public func leaving(from members: [Member]) -> Set<String> {
        Set(members.filter { isBackend($0) && ($0.status == .leaving || $0.status == .left) }
            .map { BackendServer.safeName($0.name) })
    }
}
