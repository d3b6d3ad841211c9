import Foundation

/// The header of one stats CSV: column names and where each stands. Shared
/// by every row of a scrape.
public final class StatsHeader: Sendable, Hashable {
    public let columns: [String]
    let positions: [String: Int]

    public init(columns: [String]) {
        self.columns = columns
        var positions: [String: Int] = [:]
        for (i, c) in columns.enumerated() where positions[c] == nil { positions[c] = i }
        self.positions = positions
    }

    public func index(of column: String) -> Int? { positions[column] }

    public static func == (l: StatsHeader, r: StatsHeader) -> Bool { l === r || l.columns == r.columns }
    public func hash(into h: inout Hasher) { h.combine(columns) }
}

/// One line of HAProxy's stats CSV (`show stat`, or the stats page's `;csv`).
/// Fields are looked up by header name, unknown columns included, because the
/// column set differs between HAProxy versions and only 0–99 have a fixed order.
public struct StatsRow: Sendable, Hashable {
    public let proxy: String
    public let service: String
    public let type: RowType
    public let header: StatsHeader
    /// One value per column ("" when empty).
    public let values: [String]

    public init(header: StatsHeader, values: [String]) {
        self.header = header
        self.values = values
        func at(_ name: String) -> String {
            guard let i = header.index(of: name), i < values.count else { return "" }
            return values[i]
        }
        proxy = at("pxname")
        service = at("svname")
        type = Int(at("type")).flatMap(RowType.init(rawValue:)) ?? RowType.guess(service: service)
    }

    /// Builds a row from named fields (tests, and sources other than CSV).
    public init(fields: [String: String]) {
        let names = ["pxname", "svname"] + fields.keys.filter { $0 != "pxname" && $0 != "svname" }.sorted()
        self.init(header: StatsHeader(columns: names), values: names.map { fields[$0] ?? "" })
    }

    /// A field's value; nil when the column is missing or the field empty.
    public subscript(field: String) -> String? {
        guard let i = header.index(of: field), i < values.count, !values[i].isEmpty else { return nil }
        return values[i]
    }

    /// Every non-empty field by name.
    public var fields: [String: String] {
        var out: [String: String] = [:]
        for (i, c) in header.columns.enumerated() where i < values.count && !values[i].isEmpty { out[c] = values[i] }
        return out
    }

    /// A numeric field; nil when empty or not a number.
    public func int(_ field: String) -> Int? { self[field].flatMap { Int($0) } }

    public var status: ServerStatus? { self["status"].map(ServerStatus.init(parsing:)) }
    public var weight: Int? { int("weight") }
    public var currentSessions: Int? { int("scur") }
    public var sessionLimit: Int? { int("slim") }
    /// Sessions per second over the last second.
    public var sessionRate: Int? { int("rate") }
    /// HTTP requests per second over the last second (frontends; servers in 2.x).
    public var requestRate: Int? { int("req_rate") }
    /// What the dashboard counts as traffic: requests per second, or
    /// sessions per second where HAProxy gives no request rate (TCP).
    public var rate: Int { requestRate ?? sessionRate ?? 0 }
    public var checkStatus: String? { self["check_status"] }
    /// Milliseconds the last health check took.
    public var checkDuration: Int? { int("check_duration") }
    /// Seconds since the last UP/DOWN transition.
    public var lastChange: Int? { int("lastchg") }
    public var address: String? { self["addr"] }
    /// `backend/server`, as the runtime API names a server.
    public var qualifiedName: String { "\(proxy)/\(service)" }
}

/// The `type` column: what a row describes.
public enum RowType: Int, Sendable, Hashable, Codable {
    case frontend = 0
    case backend = 1
    case server = 2
    case listener = 3

    /// Old versions without a `type` column name their aggregate rows.
    static func guess(service: String) -> RowType {
        switch service {
        case "FRONTEND": return .frontend
        case "BACKEND": return .backend
        default: return .server
        }
    }
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
    /// "UP 1/3": going down, 1 of 3 failed checks seen ("DOWN 1/2": going up).
    public var transition: Transition?
    /// "MAINT (via nodes/s1)": maintenance inherited from another server.
    public var via: String?
    /// The field as HAProxy wrote it.
    public var raw: String

    public struct Transition: Sendable, Hashable {
        public var current: Int
        public var total: Int
    }

    public var description: String { raw }

    /// Whether HAProxy sends it new traffic (UP, or a server without checks).
    public var takesTraffic: Bool { state == .up || state == .noCheck || state == .open }

    public init(parsing raw: String) {
        self.raw = raw
        // Most fields are one bare word ("UP", "MAINT", "no check").
        if let bare = State(rawValue: raw) {
            state = bare
            return
        }
        let text = raw.trimmingCharacters(in: .whitespaces)
        var rest = Substring(text)
        if let open = rest.range(of: " (via "), rest.hasSuffix(")") {
            via = String(rest[open.upperBound ..< rest.index(before: rest.endIndex)])
            rest = rest[..<open.lowerBound]
        }
        if rest == "no check" {
            state = .noCheck
            return
        }
        let parts = rest.split(separator: " ", maxSplits: 1)
        state = parts.first.flatMap { State(rawValue: String($0)) } ?? .unknown
        if parts.count == 2 {
            let frac = parts[1].split(separator: "/")
            if frac.count == 2, let a = Int(frac[0]), let b = Int(frac[1]) { transition = Transition(current: a, total: b) }
        }
    }
}

/// One scrape of one balancer: every row, and the header it came with.
public struct StatsSnapshot: Sendable, Hashable {
    public var header: StatsHeader
    public var rows: [StatsRow]

    public init(header: StatsHeader, rows: [StatsRow]) {
        self.header = header
        self.rows = rows
    }

    public var columns: [String] { header.columns }
    public var servers: [StatsRow] { rows.filter { $0.type == .server } }
    public var frontends: [StatsRow] { rows.filter { $0.type == .frontend } }
    public var backends: [StatsRow] { rows.filter { $0.type == .backend } }
}
