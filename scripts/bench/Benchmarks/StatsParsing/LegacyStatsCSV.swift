import Foundation
import HAProxy

// The parser before rows kept the page: for comparing, side by side.
/// Parses the stats CSV by its header line. Works on bytes: a balancer with
/// thousands of servers is scraped every second.
public enum LegacyStatsCSVParser {
    public static func parse(_ text: String) throws(StatsParseError) -> LegacyStatsSnapshot {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(StatsParseError) -> LegacyStatsSnapshot {
        try bytes.withUnsafeBufferPointer { buffer throws(StatsParseError) in try parse(buffer) }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(StatsParseError) -> LegacyStatsSnapshot {
        guard !bytes.isEmpty else { throw .empty }
        var lines = LineCursor(bytes: bytes)
        guard let first = lines.next() else { throw .empty }
        guard first.count >= 2, first[first.startIndex] == UInt8(ascii: "#") else {
            let looksHTML = bytes.prefix(64).contains(UInt8(ascii: "<"))
            throw .noHeader(looksLikeHTML: looksHTML)
        }
        var headerFields = try fields(first, line: 1)
        headerFields[0] = headerFields[0].drop { $0 == "#" || $0 == " " }.description
        // 2.x ends every line with a comma: one empty trailing column.
        if headerFields.last == "" { headerFields.removeLast() }
        guard headerFields.contains("pxname"), headerFields.contains("svname") else {
            throw .missingColumns(line: 1, ["pxname", "svname"].filter { !headerFields.contains($0) })
        }
        let header = LegacyStatsHeader(columns: headerFields)
        var rows: [LegacyStatsRow] = []
        rows.reserveCapacity(bytes.count / 400)
        var lineNumber = 1
        while let line = lines.next() {
            lineNumber += 1
            if line.isEmpty { continue }
            var values = try fields(line, line: lineNumber)
            if values.count == header.columns.count + 1 && values.last == "" { values.removeLast() }
            if values.count < header.columns.count {
                // A line cut short: the body ended mid-line, or the output was truncated.
                throw .truncatedLine(line: lineNumber, fields: values.count, expected: header.columns.count,
                                     atEnd: lines.isAtEnd && !lines.endedWithNewline)
            }
            if values.count > header.columns.count {
                throw .tooManyFields(line: lineNumber, fields: values.count, expected: header.columns.count)
            }
            rows.append(LegacyStatsRow(header: header, values: values))
        }
        return LegacyStatsSnapshot(header: header, rows: rows)
    }

    /// Splits one line on commas, honouring double quotes (HAProxy quotes
    /// text that holds a comma, a quote or a line break).
    static func fields(_ line: UnsafeBufferPointer<UInt8>.SubSequence, line number: Int) throws(StatsParseError) -> [String] {
        var out: [String] = []
        out.reserveCapacity(130)
        var i = line.startIndex
        let end = line.endIndex
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\"")
        while true {
            if i < end && line[i] == quote {
                var value: [UInt8] = []
                i += 1
                while true {
                    guard i < end else { throw .unterminatedQuote(line: number) }
                    if line[i] == quote {
                        if i + 1 < end && line[i + 1] == quote { value.append(quote); i += 2; continue }
                        i += 1
                        break
                    }
                    value.append(line[i]); i += 1
                }
                out.append(String(decoding: value, as: UTF8.self))
                guard i == end || line[i] == comma else { throw .garbageAfterQuote(line: number) }
            } else {
                let start = i
                while i < end && line[i] != comma { i += 1 }
                out.append(start == i ? "" : String(decoding: UnsafeBufferPointer(rebasing: line[start ..< i]), as: UTF8.self))
            }
            if i == end { return out }
            i += 1 // the comma
        }
    }

    struct LineCursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        var isAtEnd: Bool { position >= bytes.count }
        var endedWithNewline: Bool { bytes.last == UInt8(ascii: "\n") }

        mutating func next() -> UnsafeBufferPointer<UInt8>.SubSequence? {
            guard position < bytes.count else { return nil }
            let start = position
            // Quoted fields may hold line breaks: only a newline outside quotes ends the line.
            var inQuotes = false
            while position < bytes.count {
                let b = bytes[position]
                if b == UInt8(ascii: "\"") { inQuotes.toggle() }
                if b == UInt8(ascii: "\n") && !inQuotes { break }
                position += 1
            }
            var end = position
            if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            position += 1
            return bytes[start ..< end]
        }
    }
}


/// The header of one stats CSV: column names and where each stands. Shared
/// by every row of a scrape.
public final class LegacyStatsHeader: Sendable, Hashable {
    public let columns: [String]
    let positions: [String: Int]

    public init(columns: [String]) {
        self.columns = columns
        var positions: [String: Int] = [:]
        for (i, c) in columns.enumerated() where positions[c] == nil { positions[c] = i }
        self.positions = positions
    }

    public func index(of column: String) -> Int? { positions[column] }

    public static func == (l: LegacyStatsHeader, r: LegacyStatsHeader) -> Bool { l === r || l.columns == r.columns }
    public func hash(into h: inout Hasher) { h.combine(columns) }
}

/// One line of HAProxy's stats CSV (`show stat`, or the stats page's `;csv`).
/// Fields are looked up by header name, unknown columns included, because the
/// column set differs between HAProxy versions and only 0–99 have a fixed order.
public struct LegacyStatsRow: Sendable, Hashable {
    public let proxy: String
    public let service: String
    public let type: RowType
    public let header: LegacyStatsHeader
    /// One value per column ("" when empty).
    public let values: [String]

    public init(header: LegacyStatsHeader, values: [String]) {
        self.header = header
        self.values = values
        func at(_ name: String) -> String {
            guard let i = header.index(of: name), i < values.count else { return "" }
            return values[i]
        }
        proxy = at("pxname")
        service = at("svname")
        type = Int(at("type")).flatMap(RowType.init(rawValue:)) ?? (service == "FRONTEND" ? .frontend : service == "BACKEND" ? .backend : .server)
    }

    /// Builds a row from named fields (tests, and sources other than CSV).
    public init(fields: [String: String]) {
        let names = ["pxname", "svname"] + fields.keys.filter { $0 != "pxname" && $0 != "svname" }.sorted()
        self.init(header: LegacyStatsHeader(columns: names), values: names.map { fields[$0] ?? "" })
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

/// One scrape of one balancer: every row, and the header it came with.
public struct LegacyStatsSnapshot: Sendable, Hashable {
    public var header: LegacyStatsHeader
    public var rows: [LegacyStatsRow]

    public init(header: LegacyStatsHeader, rows: [LegacyStatsRow]) {
        self.header = header
        self.rows = rows
    }

    public var columns: [String] { header.columns }
    public var servers: [LegacyStatsRow] { rows.filter { $0.type == .server } }
    public var frontends: [LegacyStatsRow] { rows.filter { $0.type == .frontend } }
    public var backends: [LegacyStatsRow] { rows.filter { $0.type == .backend } }
}
