import Presentation
import BalancerContract
import Foundation
import HAProxy
import Serf
import TerminalUI

/// Everything the dashboard shows, as one value: members joined with the
/// servers of every balancer, per-node history, and the event log. No
/// sockets, no curses; time comes in as an argument.
public struct ClusterModel: Sendable {
    public private(set) var members: [String: Member] = [:]
    /// What rows() needs of each member, in the natural order of their
    /// names (NaturalOrder), kept in step with `members`, `memberChangedAt`
    /// and `memberHistory` (refresh(_:)). rows() walks this every frame: the
    /// table sorts by name unless told otherwise, and rows already in that
    /// order sort in one pass where a dictionary's order took n log n
    /// comparisons; and each member's facts are read here, not hashed out of
    /// four dictionaries.
    private var ordered: [MemberFacts] = []
    public private(set) var memberChangedAt: [String: Date] = [:]
    public var balancers: [BalancerState] = []
    public private(set) var history: [String: History] = [:]
    /// Each member's status changes (MemberHistory), kept after it is reaped.
    public private(set) var memberHistory: [String: MemberHistory] = [:]
    /// Whether memberHistory has memberlist's details (the native member,
    /// MembershipSource.reportsStatusChanges) or member events only (an
    /// agent over RPC). Set by whoever connects the source; the first
    /// record proves it too.
    public var historyHasDetails = false
    /// Traffic per second over all site frontends (TrafficRate).
    public private(set) var frontendHistory = History()
    public var log = EventLog()
    /// Where we read the cluster from, for the header ("gossip as x", "agent at y").
    public var sourceDescription = ""
    /// When the member list last came in.
    public private(set) var membersUpdatedAt: Date?
    /// How balancers and servers are told apart (`--backend-role`).
    public var roles = ClusterRoles()

    public init() {}

    // MARK: Gossip

    /// The full member list (on start, and now and then to stay exact).
    public mutating func setMembers(_ list: [Member], at time: Date) {
        for m in list where members[m.name]?.status != m.status {
            memberChangedAt[m.name] = time
            memberHistory[m.name, default: MemberHistory()].record(m.status, at: time)
        }
        members = Dictionary(list.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        ordered = members.keys.map { NamedKey($0) }.sorted(by: NamedKey.precedes).map { facts($0.name)! }
        membersUpdatedAt = time
        // Histories of members long reaped go once they outnumber the living.
        if memberHistory.count > 2 * max(members.count, 100) {
            memberHistory = memberHistory.filter { members[$0.key] != nil }
        }
    }

    public mutating func apply(_ event: SerfEvent, at time: Date) {
        switch event {
        case .member(let kind, let list):
            for m in list {
                if kind == .reap {
                    members[m.name] = nil
                } else {
                    if members[m.name]?.status != m.status { memberChangedAt[m.name] = time }
                    members[m.name] = m
                    memberHistory[m.name, default: MemberHistory()].record(m.status, at: time)
                }
                refresh(m.name)
                let tags = m.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                log.add(Self.logKind(kind), "\(kind.rawValue) \(m.name) \(m.address) \(tags)", at: time)
            }
            membersUpdatedAt = time
        case .user(let e) where e.name == BalancerAnnouncement.eventName:
            let (kind, text) = AnnouncementLine.line(e.payload)
            log.add(kind, text, at: time)
        case .user(let e):
            log.add(.user, "user event \(e.name) \(EventLine.printable(e.payload))", at: time)
        case .query:
            break
        case .notice(let text):
            log.add(.info, text, at: time)
        case .status(let change):
            historyHasDetails = true
            memberHistory[change.name, default: MemberHistory()].record(change, at: time)
            // Serf has no event for a suspicion or its refutation: without
            // this the row would wait for the next full member list.
            if var m = members[change.name], m.status != change.status, m.status.isUp, change.status.isUp {
                m.status = change.status
                members[change.name] = m
                memberChangedAt[change.name] = time
            }
            refresh(change.name)
        }
    }

    private struct MemberFacts {
        var member: Member
        var role: String?
        var changedAt: Date?
        var flaps: Int
    }

    private func facts(_ name: String) -> MemberFacts? {
        members[name].map { MemberFacts(member: $0, role: $0.role, changedAt: memberChangedAt[name], flaps: memberHistory[name]?.flaps ?? 0) }
    }

    /// Brings `ordered` in step after anything about `name` changed.
    private mutating func refresh(_ name: String) {
        let key = NamedKey(name)
        var low = 0, high = ordered.count
        while low < high {
            let mid = (low + high) / 2
            if NamedKey.precedes(NamedKey(ordered[mid].member.name), key) { low = mid + 1 } else { high = mid }
        }
        let present = low < ordered.count && ordered[low].member.name == name
        switch (facts(name), present) {
        case (let facts?, true): ordered[low] = facts
        case (let facts?, false): ordered.insert(facts, at: low)
        case (nil, true): ordered.remove(at: low)
        case (nil, false): break
        }
    }

    /// A name with its NaturalOrder key, in the order the table sorts names
    /// (DashboardState.visible): by key, then by the plain text.
    private struct NamedKey {
        let key: [UInt8]
        let name: String

        init(_ name: String) {
            key = NaturalOrder.key(name)
            self.name = name
        }

        static func precedes(_ a: NamedKey, _ b: NamedKey) -> Bool {
            a.key != b.key ? a.key.lexicographicallyPrecedes(b.key) : a.name < b.name
        }
    }

    static func logKind(_ k: MemberEventKind) -> EventLog.Kind {
        switch k {
        case .join: return .join
        case .leave: return .leave
        case .failed: return .failed
        case .update: return .update
        case .reap: return .reap
        }
    }

    // MARK: HAProxy

    /// Makes sure every balancer to scrape is listed: those given on the
    /// command line, and balancer members (ClusterRoles; at their `stats` tag,
    /// or their address on port 1936). A member chooses what it advertises,
    /// so a discovered page gets the credentials only if the operator named
    /// it (StatsCredentials).
    public mutating func discoverBalancers(credentials: StatsCredentials = StatsCredentials(), at time: Date = Date()) {
        for m in members.values where roles.isBalancer(m) && m.status.isUp {
            guard !balancers.contains(where: { $0.memberName == m.name }) else { continue }
            let text = m.tags["stats"] ?? m.tags["stats_url"] ?? "http://\(m.address):\(StatsEndpoint.defaultPort)/"
            guard let endpoint = try? credentials.discovered(text) else { continue }
            if let i = balancers.firstIndex(where: { $0.memberName == nil && $0.endpoint.csvURL == endpoint.csvURL }) {
                balancers[i].memberName = m.name
            } else {
                balancers.append(BalancerState(endpoint: endpoint, memberName: m.name, origin: .discovered))
                let auth = endpoint.username == nil
                    ? (credentials.username == nil ? "" : "; stats credentials not sent (name it with --stats-credentials-for \(endpoint.authority) to send them)")
                    : "; stats credentials sent (--stats-credentials-for)"
                log.add(.info, "balancer \(m.name) found through gossip at \(endpoint.authority)\(auth)", at: time)
            }
        }
    }

    public mutating func recordScrape(_ result: Result<StatsSnapshot, HAProxyError>, for endpoint: StatsEndpoint, at time: Date) {
        guard let i = balancers.firstIndex(where: { $0.endpoint == endpoint }) else { return }
        switch result {
        case .success(let snapshot):
            if balancers[i].lastError != nil { log.add(.scrape, "\(balancers[i].label): stats page answers again", at: time) }
            balancers[i].snapshot = snapshot
            balancers[i].lastSuccess = time
            balancers[i].lastError = nil
        case .failure(let error):
            if balancers[i].lastError != "\(error)" { log.add(.scrape, "\(balancers[i].label): \(error)", at: time) }
            balancers[i].lastError = "\(error)"
        }
    }

    /// After every round of scrapes: one history sample per node, the
    /// traffic `rows()` would give it, without building the rows.
    public mutating func sampleHistory() {
        var rows: [String: [StatsRow]] = [:]
        for b in balancers {
            guard let snapshot = b.snapshot else { continue }
            for row in snapshot.servers { rows[row.service, default: []].append(row) }
        }
        for name in members.keys where rows[name] == nil { rows[name] = [] }
        for (name, list) in rows { history[name, default: History()].append(TrafficRate(list)?.perSecond ?? 0) }
        frontendHistory.append(TrafficRate(siteFrontends.map(\.row))?.perSecond ?? 0)
    }

    // MARK: The join

    /// Members and servers joined by name: a server is the member whose
    /// server name (HAProxyName.server(forMember:), as the balancer writes
    /// it) is the server's. Backend rows and frontends are not nodes.
    public func rows() -> [NodeRow] {
        // Every frame joins every node: one table keyed by server name, so
        // that a server row costs one hash and not one per thing known of it.
        var servers: [String: ServerRefs] = [:]
        // By name, so that each balancer's view has the same place in every row.
        for b in balancers.sorted(by: { $0.label < $1.label }) {
            guard let snapshot = b.snapshot else { continue }
            let rows = snapshot.servers
            servers.reserveCapacity(rows.count)
            for row in rows {
                let changed = row.lastChange.flatMap { lastchg in b.lastSuccess?.addingTimeInterval(-Double(lastchg)) }
                servers[row.service, default: ServerRefs()].add(.init(balancer: b.label, row: row, staleSince: b.staleSince),
                                                                changed: changed)
            }
        }
        let reporting = balancers.count { $0.snapshot != nil }
        var out: [NodeRow] = []
        out.reserveCapacity(members.count + servers.count)
        for facts in ordered {
            let m = facts.member
            // roles.isBackend(m), with the role tag looked up once, ahead.
            let backend = facts.role == roles.backend
            let mark: NodeRow.Mark?
            let refs: [NodeRow.ServerRef]
            if case .success(let serverName) = HAProxyName.server(forMember: m.name) {
                refs = servers.removeValue(forKey: serverName.text)?.refs ?? []
                mark = refs.isEmpty && backend && m.status.isUp && !balancers.isEmpty ? .notInLB : nil
            } else {
                refs = []
                mark = .badName
            }
            out.append(NodeRow(name: m.name, address: m.address, role: facts.role ?? "", gossip: m.status, member: m,
                               servers: refs, history: history[m.name]?.samples ?? [],
                               changedAt: facts.changedAt, mark: mark, isBackend: backend,
                               flaps: facts.flaps, balancerCount: reporting))
        }
        for (name, entry) in servers {
            let refs = entry.refs
            let address = refs.first?.row.address.map { $0.split(separator: ":").first.map(String.init) ?? $0 } ?? ""
            out.append(NodeRow(name: name, address: address, role: "", gossip: nil, member: nil, servers: refs,
                               history: history[name]?.samples ?? [], changedAt: entry.changed, mark: .notInGossip,
                               balancerCount: reporting))
        }
        return out
    }

    /// One server name's rows across the balancers, and when the last of
    /// them to say so changed state.
    private struct ServerRefs {
        var refs: [NodeRow.ServerRef] = []
        var changed: Date?

        mutating func add(_ ref: NodeRow.ServerRef, changed: Date?) {
            refs.append(ref)
            if let changed { self.changed = changed }
        }
    }

    // MARK: Header figures

    public struct Counts: Sendable, Hashable {
        public var total = 0, alive = 0, suspect = 0, leaving = 0, left = 0, failed = 0
    }

    public var counts: Counts {
        var c = Counts()
        for m in members.values {
            c.total += 1
            switch m.status {
            case .alive: c.alive += 1
            case .suspect: c.suspect += 1
            case .leaving: c.leaving += 1
            case .left: c.left += 1
            case .failed: c.failed += 1
            case .none: break
            }
        }
        return c
    }

    /// The frontends of every reachable balancer.
    public var frontends: [(balancer: String, row: StatsRow)] {
        balancers.flatMap { b in (b.snapshot?.frontends ?? []).map { (b.label, $0) } }
    }

    /// Frontends other than the stats page itself (which our scrapes keep busy).
    public var siteFrontends: [(balancer: String, row: StatsRow)] {
        frontends.filter { $0.row.proxy != "stats" && !$0.row.proxy.hasPrefix("stats") }
    }

    /// Age of the oldest data on screen: the slowest balancer's last scrape.
    public func dataAge(now: Date) -> TimeInterval? {
        let times = balancers.compactMap(\.lastSuccess)
        guard let oldest = times.min() else { return membersUpdatedAt.map { now.timeIntervalSince($0) } }
        return now.timeIntervalSince(oldest)
    }
}
