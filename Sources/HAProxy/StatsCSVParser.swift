/// Parses the stats CSV by its header line. Works on bytes: a balancer with
/// thousands of servers is scraped every second.
public enum StatsCSVParser {
    public static func parse(_ text: String) throws(StatsParseError) -> StatsSnapshot {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(StatsParseError) -> StatsSnapshot {
        try bytes.withUnsafeBufferPointer { buffer throws(StatsParseError) in try parse(buffer) }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(StatsParseError) -> StatsSnapshot {
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
        let header = StatsHeader(columns: headerFields)
        var rows: [StatsRow] = []
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
            rows.append(StatsRow(header: header, values: values))
        }
        return StatsSnapshot(header: header, rows: rows)
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

/// Why a stats body could not be read, with the line and the reason.
public enum StatsParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case noHeader(looksLikeHTML: Bool)
    case missingColumns(line: Int, [String])
    case truncatedLine(line: Int, fields: Int, expected: Int, atEnd: Bool)
    case tooManyFields(line: Int, fields: Int, expected: Int)
    case unterminatedQuote(line: Int)
    case garbageAfterQuote(line: Int)

    public var description: String {
        switch self {
        case .empty:
            return "the stats page answered with an empty body"
        case .noHeader(let html):
            return html
                ? "the stats page sent HTML, not CSV: use its CSV export (the URL ending in ;csv)"
                : "line 1: no CSV header (a line starting with '# pxname,svname,…') — is this a HAProxy stats export?"
        case .missingColumns(let line, let names):
            return "line \(line): the header lacks \(names.joined(separator: " and "))"
        case .truncatedLine(let line, let n, let expected, let atEnd):
            return "line \(line): \(n) fields where the header has \(expected)" + (atEnd ? " (the body ends mid-line: truncated)" : "")
        case .tooManyFields(let line, let n, let expected):
            return "line \(line): \(n) fields where the header has \(expected)"
        case .unterminatedQuote(let line):
            return "line \(line): a quoted field is never closed"
        case .garbageAfterQuote(let line):
            return "line \(line): text after a closing quote"
        }
    }
}

import Foundation
