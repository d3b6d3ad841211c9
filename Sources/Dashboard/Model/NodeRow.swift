import BalancerContract
import Foundation
import HAProxy
import Serf

/// One line of the dashboard: a node as the gossip and as HAProxy see it.
public struct NodeRow: Sendable, Hashable {
    public enum Mark: String, Sendable, Hashable {
        /// A member that should be a server (the backend role) but no balancer has it.
        case notInLB = "not in LB"
        /// A server HAProxy has but the gossip does not know.
        case notInGossip = "not in gossip"
        /// A member whose name HAProxy would not take: no balancer makes it a
        /// server, and actions on it are refused.
        case badName = "bad name"
    }

    public var name: String
    public var address: String
    public var role: String
    /// nil: HAProxy knows the node, the gossip does not.
    public var gossip: MemberStatus?
    public var member: Member?
    /// The node's server rows, one per balancer and backend that has it.
    public var servers: [ServerRef]
    public var history: [Int]
    /// When the gossip status last changed (or HAProxy's, for a server-only row).
    public var changedAt: Date?
    public var mark: Mark?
    /// Tagged with the backend role (ClusterRoles): a balancer should have it.
    public var isBackend = false
    /// Alive → suspect or failed → alive round trips (MemberHistory).
    public var flaps = 0
    /// How many balancers had stats to show when the row was made: with more
    /// than one, the LB cell gives each one's view.
    public var balancerCount = 0

    /// The node's server name (HAProxyName.server(forMember:)), or why it has none.
    public var serverName: Result<HAProxyName, HAProxyError> { HAProxyName.server(forMember: name) }

    public struct ServerRef: Sendable, Hashable {
        public var balancer: String
        public var row: StatsRow
        /// When the row was scraped, if its balancer did not answer the
        /// last scrape; nil while it is current.
        public var staleSince: Date? = nil
    }

    /// When the oldest of the node's server rows was scraped, if any of them
    /// is from a balancer that did not answer the last scrape.
    public var staleSince: Date? {
        // Asked of every row on screen, twice, every frame: no array built.
        var oldest: Date?
        for ref in servers { if let t = ref.staleSince, oldest.map({ t < $0 }) ?? true { oldest = t } }
        return oldest
    }

    /// More than one balancer has stats, and they do not see the server
    /// alike: in different states, or some have it and some do not.
    public var balancersDisagree: Bool {
        guard balancerCount > 1, !servers.isEmpty else { return false }
        return Set(servers.map(\.balancer)).count < balancerCount || Set(servers.map { $0.row.status?.word }).count > 1
    }

    /// The member holds the balancers' virtual address (the `vip` tag its
    /// VRRP notify script sets). Said of a member that is up only: one cut
    /// off (failed) keeps its last tags here, and may well hold the address
    /// on its side of the cut, but no client on ours reaches it there.
    public var holdsVIP: Bool {
        guard let member, member.status.isUp else { return false }
        return member.tags[ClusterRoles.vipTag] != nil
    }

    /// The first server row: what the LB columns show.
    public var server: StatsRow? { servers.first?.row }
    public var lbStatus: ServerStatus? { server?.status }
    public var weight: Int? { server?.weight }
    public var sessions: Int? { sessions(on: nil) }
    /// Current sessions on one balancer (nil: all of them together); nil
    /// where no such balancer has the server.
    public func sessions(on balancer: String?) -> Int? {
        var total: Int?
        for ref in servers where balancer == nil || ref.balancer == balancer {
            total = (total ?? 0) + (ref.row.currentSessions ?? 0)
        }
        return total
    }
    public var traffic: TrafficRate? { TrafficRate(servers.map(\.row)) }
    public var check: String? {
        guard let s = server, let status = s.checkStatus else { return nil }
        if let d = s.checkDuration, d >= 0, status.hasSuffix("OK") { return "\(status) \(d)ms" }
        return status
    }
}

/// Traffic per second as HAProxy counted it: HTTP requests (`req_rate`)
/// when every row has them, else sessions (`rate`). HAProxy gives
/// `req_rate` to frontends only: a server's traffic is its session rate,
/// which in HTTP mode counts each request forwarded to it. The two are
/// never added together, and a session rate is never shown as requests.
public enum TrafficRate: Sendable, Hashable {
    case requests(Int)
    case sessions(Int)

    /// The rows' traffic together; nil for no rows.
    public init?(_ rows: [StatsRow]) {
        guard !rows.isEmpty else { return nil }
        let requests = rows.compactMap(\.requestRate)
        self = requests.count == rows.count
            ? .requests(requests.reduce(0, +))
            : .sessions(rows.reduce(0) { $0 + ($1.sessionRate ?? 0) })
    }

    public var perSecond: Int {
        switch self {
        case .requests(let n), .sessions(let n): return n
        }
    }
}
