import Serf

/// The `role` tag says what a member is. `serftop balancer` makes servers of
/// the members with the backend role; the dashboard finds balancers and
/// servers by the same values, so both must be given the same ones
/// (`--backend-role` on either side).
public struct ClusterRoles: Sendable, Hashable {
    /// The tag's key.
    public static let tag = "role"
    /// What the dashboard and the one-shot commands call themselves: neither
    /// a balancer nor a server.
    public static let observer = "observer"
    public static let defaultBalancer = "balancer"
    public static let defaultBackend = "backend"
    /// Set by a balancer host's VRRP notify script on the host that holds
    /// the virtual address (its value: the address), removed elsewhere.
    public static let vipTag = "vip"

    /// Members running HAProxy and `serftop balancer`.
    public var balancer: String
    /// Members that become servers.
    public var backend: String

    public init(balancer: String = defaultBalancer, backend: String = defaultBackend) {
        self.balancer = balancer
        self.backend = backend
    }

    public func isBalancer(_ member: Member) -> Bool { member.role == balancer }
    public func isBackend(_ member: Member) -> Bool { member.role == backend }

    /// The query filter that reaches the balancers and nothing else: Serf
    /// matches tag filters as unanchored regular expressions, so the value
    /// is escaped and anchored.
    public var balancerFilter: [String: String] { [Self.tag: "^" + Self.escaped(balancer) + "$"] }

    /// `text` as a regular expression that matches only itself.
    static func escaped(_ text: String) -> String {
        var out = ""
        for c in text {
            if "\\.+*?()|[]{}^$".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}

extension Member {
    /// The member's `role` tag, if it has one.
    public var role: String? { tags[ClusterRoles.tag] }
}
