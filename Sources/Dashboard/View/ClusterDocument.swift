import Foundation
import HAProxy
import TerminalUI

/// The dashboard's node table as a JSON document, for scripts: every node
/// in the table's order with what its row shows (the GOSSIP and LB columns
/// word for word), each balancer's server row for it, and the balancers with
/// their scrape errors.
public struct ClusterDocument: Encodable, Sendable {
    public struct Node: Encodable, Sendable {
        public var name: String
        public var address: String
        public var role: String
        /// The GOSSIP column: the member's status, or `absent`.
        public var status: String
        /// The LB column: the first balancer's status for it, `absent`
        /// (should be a server, is not), `bad name`; nil where it shows none.
        public var lb: String?
        public var mark: String?
        public var weight: Int?
        public var sessions: Int?
        /// The REQ/s column, and whether it counts requests or sessions.
        public var rate: Int?
        public var rateOf: String?
        public var check: String?
        public var changed: Date?
        public var servers: [Server]
    }

    /// One balancer's server row for a node.
    public struct Server: Encodable, Sendable {
        public var balancer: String
        public var backend: String
        public var server: String
        public var status: String?
        public var weight: Int?
        public var sessions: Int?
        public var requestRate: Int?
        public var sessionRate: Int?
        public var check: String?
    }

    public struct Balancer: Encodable, Sendable {
        public var name: String
        /// HOST:PORT of its stats page; never the credentials.
        public var stats: String
        public var origin: String
        public var member: String?
        public var reachable: Bool
        public var version: String?
        public var error: String?
        public var lastScrape: Date?
    }

    public struct Members: Encodable, Sendable {
        public var total, alive, suspect, leaving, left, failed: Int
    }

    public var time: Date
    public var source: String
    public var members: Members
    public var nodes: [Node]
    public var balancers: [Balancer]

    /// The document for `model`, its nodes in the order `state` shows them.
    public init(_ model: ClusterModel, state: DashboardState = DashboardState(), now: Date = Date()) {
        time = now
        source = model.sourceDescription
        let c = model.counts
        members = Members(total: c.total, alive: c.alive, suspect: c.suspect, leaving: c.leaving, left: c.left, failed: c.failed)
        nodes = state.visible(model.rows()).map { row in
            func shown(_ id: TableColumn.ID) -> String? {
                let text = CellText.value(id, row, width: 0, now: now, glyphs: .ascii).0
                return text.isEmpty || text == Glyphs.ascii.dash ? nil : text
            }
            return Node(name: row.name, address: row.address, role: row.role, status: shown(.gossip) ?? "",
                        lb: shown(.lb), mark: row.mark?.rawValue, weight: row.weight, sessions: row.sessions,
                        rate: row.traffic?.perSecond, rateOf: row.traffic.map { if case .requests = $0 { "requests" } else { "sessions" } },
                        check: row.check, changed: row.changedAt,
                        servers: row.servers.map { ref in
                            Server(balancer: ref.balancer, backend: ref.row.proxy, server: ref.row.service,
                                   status: ref.row.status?.raw, weight: ref.row.weight, sessions: ref.row.currentSessions,
                                   requestRate: ref.row.requestRate, sessionRate: ref.row.sessionRate, check: ref.row.checkStatus)
                        })
        }
        balancers = model.balancers.map { b in
            Balancer(name: b.label, stats: b.endpoint.authority, origin: b.origin.rawValue, member: b.memberName,
                     reachable: b.isReachable, version: b.version, error: b.lastError, lastScrape: b.lastSuccess)
        }
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Every field is a string, a number, a date or a list of them.
        return TerminalText.escapedJSON(String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self))
    }
}
