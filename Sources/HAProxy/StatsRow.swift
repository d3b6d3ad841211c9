import Foundation

/// One line of HAProxy's stats CSV (`show stat`, or the stats page's `;csv`).
/// Fields are kept by header name, unknown columns included, because the
/// column set differs between HAProxy versions and only 0–99 have a fixed order.
public struct StatsRow: Sendable, Hashable {
    public var proxy: String
    public var service: String
    public var type: RowType
    /// Every field of the line by its header name (empty fields are absent).
    public var fields: [String: String]

    public init(proxy: String, service: String, type: RowType, fields: [String: String]) {
        self.proxy = proxy
        self.service = service
        self.type = type
        self.fields = fields
    }

    public subscript(field: String) -> String? { fields[field] }

    /// A numeric field; nil when empty or not a number.
    public func int(_ field: String) -> Int? { fields[field].flatMap { Int($0) } }

    public var status: ServerStatus? { fields["status"].map(ServerStatus.init(parsing:)) }
    public var weight: Int? { int("weight") }
    public var currentSessions: Int? { int("scur") }
    public var sessionLimit: Int? { int("slim") }
    /// Sessions per second over the last second.
    public var sessionRate: Int? { int("rate") }
    /// HTTP requests per second over the last second (frontends; servers in 2.x).
    public var requestRate: Int? { int("req_rate") }
    public var checkStatus: String? { fields["check_status"] }
    /// Milliseconds the last health check took.
    public var checkDuration: Int? { int("check_duration") }
    /// Seconds since the last UP/DOWN transition.
    public var lastChange: Int? { int("lastchg") }
    public var address: String? { fields["addr"] }
}

/// The `type` column: what a row describes.
public enum RowType: Int, Sendable, Hashable, Codable {
    case frontend = 0
    case backend = 1
    case server = 2
    case listener = 3
}

/// A server's (or proxy's) `status` field, understood.
public struct ServerStatus: Sendable, Hashable, CustomStringConvertible {
    public enum State: String, Sendable, Hashable, Codable {
        case up = "UP"
        case down = "DOWN"
        case noLB = "NOLB"
        case drain = "DRAIN"
        case maint = "MAINT"
        /// Checks disabled: HAProxy says "no check".
        case noCheck = "no check"
        /// Frontends and listeners.
        case open = "OPEN"
        case full = "FULL"
        case stop = "STOP"
        case unknown
    }

    public var state: State
    /// "UP 1/3": the server is going down, 1 of 3 failed checks seen.
    public var transition: (current: Int, total: Int)?
    /// "MAINT (via nodes/s1)": maintenance inherited from another server.
    public var via: String?
    /// The field as HAProxy wrote it.
    public var raw: String

    public var description: String { raw }

    public init(parsing raw: String) {
        self.raw = raw
        let text = raw.trimmingCharacters(in: .whitespaces)
        var rest = Substring(text)
        if let open = rest.range(of: " (via "), rest.hasSuffix(")") {
            via = String(rest[open.upperBound ..< rest.index(before: rest.endIndex)])
            rest = rest[..<open.lowerBound]
        }
        let parts = rest.split(separator: " ", maxSplits: 1)
        if text == "no check" {
            state = .noCheck
        } else if let head = parts.first, let s = State(rawValue: String(head)) {
            state = s
        } else {
            state = .unknown
        }
        if parts.count == 2, state != .noCheck {
            let frac = parts[1].split(separator: "/")
            if frac.count == 2, let a = Int(frac[0]), let b = Int(frac[1]) { transition = (a, b) }
        }
    }

    public static func == (l: ServerStatus, r: ServerStatus) -> Bool { l.raw == r.raw }
    public func hash(into h: inout Hasher) { h.combine(raw) }
}

/// One scrape of one balancer: every row, and the header it came with.
public struct StatsSnapshot: Sendable, Hashable {
    public var columns: [String]
    public var rows: [StatsRow]

    public init(columns: [String], rows: [StatsRow]) {
        self.columns = columns
        self.rows = rows
    }

    public var servers: [StatsRow] { rows.filter { $0.type == .server } }
    public var frontends: [StatsRow] { rows.filter { $0.type == .frontend } }
    public var backends: [StatsRow] { rows.filter { $0.type == .backend } }
}
