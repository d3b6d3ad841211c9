import Foundation

/// The header of one stats CSV: column names and where each stands. Shared
/// by every row of a scrape.
public final class StatsHeader: Sendable, Hashable {
    public let columns: [String]
    let positions: [String: Int]
    /// The columns typed accessors read, looked up once per page.
    let known: KnownColumns

    public init(columns: [String]) {
        self.columns = columns
        var positions: [String: Int] = [:]
        for (i, c) in columns.enumerated() where positions[c] == nil { positions[c] = i }
        self.positions = positions
        known = KnownColumns(positions)
    }

    public func index(of column: String) -> Int? { positions[column] }

    public static func == (l: StatsHeader, r: StatsHeader) -> Bool { l === r || l.columns == r.columns }
    public func hash(into h: inout Hasher) { h.combine(columns) }
}

/// Where the columns read most stand; -1 when the header lacks one.
struct KnownColumns: Sendable {
    let proxy, service, type, status, weight, sessions, sessionLimit, sessionRate, requestRate: Int
    let checkStatus, checkDuration, lastChange, address: Int

    init(_ positions: [String: Int]) {
        func at(_ name: String) -> Int { positions[name] ?? -1 }
        proxy = at("pxname"); service = at("svname"); type = at("type"); status = at("status"); weight = at("weight")
        sessions = at("scur"); sessionLimit = at("slim"); sessionRate = at("rate"); requestRate = at("req_rate")
        checkStatus = at("check_status"); checkDuration = at("check_duration"); lastChange = at("lastchg"); address = at("addr")
    }
}

/// The bytes of one stats page and where every field of every row stands in
/// them. Rows share it and decode a field only when it is read: a dashboard
/// reads a handful of the ~130 columns of thousands of rows each second, and
/// a String per field made every scrape cost milliseconds of parsing.
final class StatsPage: Sendable {
    let header: StatsHeader
    let bytes: [UInt8]
    /// Fields per row.
    let width: Int
    /// `width + 1` entries per row: where each field starts, then one past the
    /// end of the last. Field k ends one byte (its comma) before entry k + 1.
    let bounds: FieldBounds

    init(header: StatsHeader, bytes: [UInt8], width: Int, bounds: FieldBounds) {
        self.header = header
        self.bytes = bytes
        self.width = width
        self.bounds = bounds
    }

    var rowCount: Int { bounds.count / (width + 1) }

    /// The field as it stands in the page: quotes and doubled quotes included.
    @inline(__always)
    func withRaw<R>(row: Int, field: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let k = row &* (width &+ 1) &+ field
        let start = Int(bounds.base[k]), end = Int(bounds.base[k &+ 1]) &- 1
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start ..< end])) }
    }
}

/// The offsets of a page's fields: tens of thousands per page, written by
/// the parser without a capacity check per field, read-only once handed over.
final class FieldBounds: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt32>
    let count: Int

    /// Takes ownership of `base`.
    init(base: UnsafeMutablePointer<UInt32>, count: Int) {
        self.base = base
        self.count = count
    }

    convenience init(_ values: [UInt32]) {
        let base = UnsafeMutablePointer<UInt32>.allocate(capacity: max(values.count, 1))
        base.initialize(from: values, count: values.count)
        self.init(base: base, count: values.count)
    }

    deinit { base.deallocate() }
}

/// Reading a field as it stands in the page.
enum RawField {
    static let quote = UInt8(ascii: "\"")

    /// The parser only keeps a field starting with a quote once it has seen
    /// the closing quote, with every quote inside doubled.
    @inline(__always)
    static func isQuoted(_ raw: UnsafeBufferPointer<UInt8>) -> Bool { raw.first == quote }

    /// Empty once decoded: nothing, or an empty quoted field.
    @inline(__always)
    static func isEmpty(_ raw: UnsafeBufferPointer<UInt8>) -> Bool { raw.isEmpty || (raw.count == 2 && raw[0] == quote) }

    static func string(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        guard isQuoted(raw) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 1
        while i < raw.count - 1 {
            out.append(raw[i])
            i += raw[i] == quote ? 2 : 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What `Int(String)` answers, without making the String: counters and
    /// rates are most of what is read.
    static func int(_ raw: UnsafeBufferPointer<UInt8>) -> Int? {
        if isQuoted(raw) { return Int(string(raw)) }
        var i = 0
        var negative = false
        if let sign = raw.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            i = 1
        }
        guard i < raw.count else { return nil }
        var value = 0
        while i < raw.count {
            let digit = raw[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            // Built on the negative side when negative, so Int.min fits.
            let (next, o2) = negative ? times10.subtractingReportingOverflow(Int(digit)) : times10.addingReportingOverflow(Int(digit))
            guard !o1, !o2 else { return nil }
            value = next
            i += 1
        }
        return value
    }

    /// Equal once decoded, as the Strings would compare.
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if a.elementsEqual(b) { return true }
        // Different ASCII bytes are different text; anything else may still be
        // canonically equivalent, or decode to the same replacement characters.
        if !isQuoted(a) && !isQuoted(b) && a.allSatisfy({ $0 < 0x80 }) && b.allSatisfy({ $0 < 0x80 }) { return false }
        return string(a) == string(b)
    }
}

/// One line of HAProxy's stats CSV (`show stat`, or the stats page's `;csv`).
/// Fields are looked up by header name, unknown columns included, because the
/// column set differs between HAProxy versions and only 0–99 have a fixed order.
public struct StatsRow: Sendable, Hashable {
    public let proxy: String
    public let service: String
    public let type: RowType
    let page: StatsPage
    let row: Int

    public var header: StatsHeader { page.header }

    init(page: StatsPage, row: Int) {
        self.page = page
        self.row = row
        let known = page.header.known
        func has(_ i: Int) -> Bool { i >= 0 && i < page.width }
        proxy = has(known.proxy) ? page.withRaw(row: row, field: known.proxy, RawField.string) : ""
        service = has(known.service) ? page.withRaw(row: row, field: known.service, RawField.string) : ""
        type = (has(known.type) ? page.withRaw(row: row, field: known.type, RawField.int) : nil).flatMap(RowType.init(rawValue:))
            ?? RowType.guess(service: service)
    }

    public init(header: StatsHeader, values: [String]) {
        // A page of one row, laid out as the parser would keep it: a value
        // starting with a quote is written quoted so it reads back as given.
        var bytes: [UInt8] = []
        var bounds: [UInt32] = []
        bounds.reserveCapacity(values.count + 1)
        for value in values {
            bounds.append(UInt32(bytes.count))
            if value.utf8.first == RawField.quote {
                bytes.append(RawField.quote)
                for b in value.utf8 {
                    bytes.append(b)
                    if b == RawField.quote { bytes.append(b) }
                }
                bytes.append(RawField.quote)
            } else {
                bytes.append(contentsOf: value.utf8)
            }
            bytes.append(UInt8(ascii: ","))
        }
        bounds.append(UInt32(bytes.count))
        self.init(page: StatsPage(header: header, bytes: bytes, width: values.count, bounds: FieldBounds(bounds)), row: 0)
    }

    /// Builds a row from named fields (tests, and sources other than CSV).
    public init(fields: [String: String]) {
        let names = ["pxname", "svname"] + fields.keys.filter { $0 != "pxname" && $0 != "svname" }.sorted()
        self.init(header: StatsHeader(columns: names), values: names.map { fields[$0] ?? "" })
    }

    /// One value per column ("" when empty), decoded now: for showing a
    /// whole row, not for reading a few fields.
    public var values: [String] { (0 ..< page.width).map { page.withRaw(row: row, field: $0, RawField.string) } }

    /// The field in column `i` unless it is empty or the column missing (-1).
    @inline(__always)
    func withField<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R?) -> R? {
        guard i >= 0, i < page.width else { return nil }
        return page.withRaw(row: row, field: i) { raw in RawField.isEmpty(raw) ? nil : body(raw) }
    }

    /// A field's value; nil when the column is missing or the field empty.
    public subscript(field: String) -> String? { withField(header.index(of: field) ?? -1, RawField.string) }

    /// Every non-empty field by name.
    public var fields: [String: String] {
        var out: [String: String] = [:]
        for (i, c) in header.columns.enumerated() where i < page.width {
            page.withRaw(row: row, field: i) { raw in if !RawField.isEmpty(raw) { out[c] = RawField.string(raw) } }
        }
        return out
    }

    /// A numeric field; nil when empty or not a number.
    public func int(_ field: String) -> Int? { withField(header.index(of: field) ?? -1, RawField.int) }

    var known: KnownColumns { page.header.known }
    func string(at i: Int) -> String? { withField(i, RawField.string) }
    func int(at i: Int) -> Int? { withField(i, RawField.int) }

    public var status: ServerStatus? { string(at: known.status).map(ServerStatus.init(parsing:)) }
    public var weight: Int? { int(at: known.weight) }
    public var currentSessions: Int? { int(at: known.sessions) }
    public var sessionLimit: Int? { int(at: known.sessionLimit) }
    /// Sessions per second over the last second.
    public var sessionRate: Int? { int(at: known.sessionRate) }
    /// HTTP requests per second over the last second (frontends; servers in 2.x).
    public var requestRate: Int? { int(at: known.requestRate) }
    /// What the dashboard counts as traffic: requests per second, or
    /// sessions per second where HAProxy gives no request rate (TCP).
    public var rate: Int { requestRate ?? sessionRate ?? 0 }
    public var checkStatus: String? { string(at: known.checkStatus) }
    /// Milliseconds the last health check took.
    public var checkDuration: Int? { int(at: known.checkDuration) }
    /// Seconds since the last UP/DOWN transition.
    public var lastChange: Int? { int(at: known.lastChange) }
    public var address: String? { string(at: known.address) }
    /// `backend/server`, as the runtime API names a server.
    public var qualifiedName: String { "\(proxy)/\(service)" }

    /// Same header and the same text in every field, wherever the bytes live.
    public static func == (l: StatsRow, r: StatsRow) -> Bool {
        if l.page === r.page && l.row == r.row { return true }
        guard l.page.width == r.page.width, l.header == r.header else { return false }
        for i in 0 ..< l.page.width {
            let same = l.page.withRaw(row: l.row, field: i) { a in r.page.withRaw(row: r.row, field: i) { b in RawField.equal(a, b) } }
            if !same { return false }
        }
        return true
    }

    /// Names and type only: rows that are equal agree on them, and hashing
    /// every field would decode the whole row.
    public func hash(into h: inout Hasher) {
        h.combine(proxy)
        h.combine(service)
        h.combine(type)
    }
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
    /// The state alone, as HAProxy writes it ("UP" for "UP 1/3").
    public var word: String { state == .unknown ? String(raw.split(separator: " ").first ?? "?") : state.rawValue }
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
