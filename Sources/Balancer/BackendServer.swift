import BalancerContract
import HAProxy
import Serf

/// One `server` line of the generated configuration.
public struct BackendServer: Sendable, Hashable, Comparable {
    /// The member's name, which HAProxy accepts as it is (HAProxyName).
    public var name: HAProxyName
    public var address: String
    public var port: UInt16
    public var tags: [String: String]

    public init(name: HAProxyName, address: String, port: UInt16, tags: [String: String] = [:]) {
        self.name = name
        self.address = address
        self.port = port
        self.tags = tags
    }

    public static func < (a: BackendServer, b: BackendServer) -> Bool { a.name < b.name }

    /// The tags a template may use: those whose key and value are plain
    /// words (as HAProxy names are). Tags come from any member; one whose
    /// value held a newline would add lines of its own to the configuration.
    static func templateTags(_ tags: [String: String]) -> [String: String] {
        tags.filter { HAProxyName.problem($0.key) == nil && HAProxyName.problem($0.value) == nil }
    }

    /// `addr:port`, with brackets around an IPv6 address.
    public var endpoint: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }
}

/// Which members become servers: those with the backend role, their port from
/// a tag or the default.
public struct ServerSelection: Sendable {
    public var roles: ClusterRoles
    public var portTag: String
    public var defaultPort: UInt16

    public init(roles: ClusterRoles = ClusterRoles(), portTag: String = "port", defaultPort: UInt16 = 3000) {
        self.roles = roles
        self.portTag = portTag
        self.defaultPort = defaultPort
    }

    public func isBackend(_ member: Member) -> Bool { roles.isBackend(member) }

    /// The member's server, or why it cannot be one: its name is not one
    /// HAProxy takes (HAProxyName.server(forMember:), the one mapping).
    public func server(for member: Member) -> Result<BackendServer, HAProxyError> {
        HAProxyName.server(forMember: member.name).map { name in
            let port = member.tags[portTag].flatMap { UInt16($0) }.flatMap { $0 == 0 ? nil : $0 } ?? defaultPort
            return BackendServer(name: name, address: member.address, port: port, tags: BackendServer.templateTags(member.tags))
        }
    }

    /// The servers for the alive backends, sorted by name so that the same
    /// membership always renders the same file. A backend whose name HAProxy
    /// would refuse is left out (`refused` says which and why): one bad name
    /// must not stop the others from serving.
    public func servers(from members: [Member]) -> (servers: [BackendServer], refused: [String]) {
        var byName: [HAProxyName: BackendServer] = [:]
        var refused: [String] = []
        for m in members where m.status.isUp && isBackend(m) {
            switch server(for: m) {
            case .success(let s): byName[s.name] = s
            case .failure(let error): refused.append("\(error)")
            }
        }
        return (byName.values.sorted(), refused)
    }

    /// Backends that are on their way out gracefully, by server name.
    public func leaving(from members: [Member]) -> Set<HAProxyName> {
        Set(members.filter { isBackend($0) && ($0.status == .leaving || $0.status == .left) }
            .compactMap { try? HAProxyName.server(forMember: $0.name).get() })
    }
}
