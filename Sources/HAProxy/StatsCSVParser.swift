/// Parses the stats CSV by its header line. Works on bytes: a balancer with
/// thousands of servers is scraped every second. One pass splits the lines
/// into fields and checks them; the rows keep the page and decode a field
/// when it is read.
public enum StatsCSVParser {
    /// Field bounds are 32-bit offsets into the page.
    static let maxBytes = Int(clamping: UInt32.max) - 1

    public static func parse(_ text: String) throws(StatsParseError) -> StatsSnapshot {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(StatsParseError) -> StatsSnapshot {
        try parse(bytes, limit: maxBytes)
    }

    static func parse(_ bytes: [UInt8], limit: Int) throws(StatsParseError) -> StatsSnapshot {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= limit else { throw .tooLarge(bytes: bytes.count, limit: limit) }
        let (header, bounds) = try bytes.withUnsafeBufferPointer { buffer throws(StatsParseError) in try split(buffer) }
        let page = StatsPage(header: header, bytes: bytes, width: header.columns.count, bounds: bounds)
        let rows = (0 ..< page.rowCount).map { StatsRow(page: page, row: $0) }
        return StatsSnapshot(header: header, rows: rows)
    }

    /// The header, and the bounds of every field of every row (see `StatsPage`).
    static func split(_ buffer: UnsafeBufferPointer<UInt8>) throws(StatsParseError) -> (StatsHeader, FieldBounds) {
        guard let p = buffer.baseAddress else { throw .empty }
        let n = buffer.count
        guard p[0] == UInt8(ascii: "#"), n >= 2, !endsLine(p, n, at: 1) else {
            let looksHTML = buffer.prefix(64).contains(UInt8(ascii: "<"))
            throw .noHeader(looksLikeHTML: looksHTML)
        }
        var i = 0
        var scratch: [UInt32] = []
        let first = try scanLine(p, n, &i, line: 1, bounds: &scratch, keep: .max)
        var headerFields = (0 ..< first.fields).map { k in
            let start = Int(scratch[k]), end = Int(scratch[k + 1]) - 1
            return RawField.string(UnsafeBufferPointer(rebasing: buffer[start ..< end]))
        }
        headerFields[0] = headerFields[0].drop { $0 == "#" || $0 == " " }.description
        // 2.x ends every line with a comma: one empty trailing column.
        if headerFields.last == "" { headerFields.removeLast() }
        guard headerFields.contains("pxname"), headerFields.contains("svname") else {
            throw .missingColumns(line: 1, ["pxname", "svname"].filter { !headerFields.contains($0) })
        }
        let header = StatsHeader(columns: headerFields)
        let width = headerFields.count
        // A line's fields past one more than the header has are counted, not kept.
        let keep = width + 1

        var out = BoundsBuffer(capacity: keep * 64)
        var handedOver = false
        defer { if !handedOver { out.base.deallocate() } }
        var lineNumber = 1
        while i < n {
            lineNumber += 1
            let rowStart = out.count
            let lineStart = i
            out.reserve(keep + 1)
            var line: Line
            if let plain = plainLine(p, n, &i, out: &out, keep: keep) {
                line = plain
            } else {
                // A quote on the line: read it again with quotes understood.
                out.count = rowStart
                i = lineStart
                scratch.removeAll(keepingCapacity: true)
                line = try scanLine(p, n, &i, line: lineNumber, bounds: &scratch, keep: keep)
                for b in scratch { out.append(Int(b)) }
            }
            if line.fields == 1 && line.lastIsBare {
                out.count = rowStart
                continue
            }
            var fields = line.fields
            if fields == width + 1 && line.lastIsEmpty {
                fields -= 1
                out.count -= 1
            }
            if fields < width {
                // A line cut short: the body ended mid-line, or the output was truncated.
                throw .truncatedLine(line: lineNumber, fields: fields, expected: width,
                                     atEnd: i == n && p[n - 1] != UInt8(ascii: "\n"))
            }
            if fields > width {
                throw .tooManyFields(line: lineNumber, fields: fields, expected: width)
            }
            if rowStart == 0 {
                // Rows are much alike: the first says how many the page holds.
                out.reserve((n / max(i - lineStart, 1) + 2) * keep)
            }
        }
        handedOver = true
        return (header, FieldBounds(base: out.base, count: out.count))
    }

    /// Reads a line with no quote before its line feed, eight bytes at a time:
    /// most fields are a few bytes or empty, so the cost is in finding commas.
    /// Nil when there is a quote; `i` and `out` are then left part-way.
    @inline(__always)
    static func plainLine(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int, out: inout BoundsBuffer, keep: Int) -> Line? {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var fieldStart = i
        var fields = 1
        out.append(i)
        var j = i
        var lineEnd = n
        scan: while j < n {
            var mask: UInt64 = 0
            if j &+ 8 <= n {
                let word = UInt64(littleEndian: UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self))
                mask = zeroBytes(word ^ 0x2C2C_2C2C_2C2C_2C2C) | zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A)
                    | zeroBytes(word ^ 0x2222_2222_2222_2222)
            } else {
                for k in 0 ..< n &- j {
                    let c = p[j &+ k]
                    if c == comma || c == lf || c == quote { mask |= 0x80 << (8 &* UInt64(k)) }
                }
            }
            while mask != 0 {
                let at = j &+ mask.trailingZeroBitCount >> 3
                mask &= mask &- 1
                let c = p[at]
                if c == comma {
                    if fields < keep { out.append(at &+ 1) }
                    fields &+= 1
                    fieldStart = at &+ 1
                } else if c == lf {
                    lineEnd = at
                    break scan
                } else {
                    return nil
                }
            }
            j &+= 8
        }
        let end = lineEnd > fieldStart && p[lineEnd &- 1] == cr ? lineEnd &- 1 : lineEnd
        if fields <= keep { out.append(end &+ 1) }
        i = lineEnd < n ? lineEnd &+ 1 : n
        return Line(fields: fields, lastIsEmpty: end == fieldStart, lastIsBare: end == fieldStart)
    }

    /// 0x80 in each byte of `x` that is zero, nothing elsewhere (no carries
    /// between bytes, so no false matches).
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low) &+ low) | x | low)
    }

    /// Field offsets as the parser writes them: room for a whole line is made
    /// before the line is read, so a field costs a store.
    struct BoundsBuffer {
        var base: UnsafeMutablePointer<UInt32>
        var count = 0
        var capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            base = .allocate(capacity: capacity)
        }

        mutating func reserve(_ extra: Int) {
            guard count + extra > capacity else { return }
            let grown = max(capacity * 2, count + extra)
            let new = UnsafeMutablePointer<UInt32>.allocate(capacity: grown)
            new.moveInitialize(from: base, count: count)
            base.deallocate()
            base = new
            capacity = grown
        }

        @inline(__always)
        mutating func append(_ offset: Int) {
            base[count] = UInt32(truncatingIfNeeded: offset)
            count &+= 1
        }
    }

    /// Whether a line break stands at `at`, right after the header's '#'.
    static func endsLine(_ p: UnsafePointer<UInt8>, _ n: Int, at i: Int) -> Bool {
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        return p[i] == lf || (p[i] == cr && (i + 1 == n || p[i + 1] == lf))
    }

    struct Line {
        var fields: Int
        /// The last field is empty once decoded.
        var lastIsEmpty: Bool
        /// The last field has no bytes at all (a blank line, when it is the only one).
        var lastIsBare: Bool
    }

    /// Reads the line at `i` and moves `i` past its line feed. Appends to
    /// `bounds` where each of the first `keep` fields starts, then, when the
    /// line has no more fields than that, one past the end of the last.
    ///
    /// A line feed ends the line unless an odd number of quotes stands before
    /// it on the line, wherever they stand; a field starting with a quote runs
    /// to its closing quote, a doubled quote standing for one; a carriage
    /// return before the line feed is not part of the line.
    @inline(__always)
    static func scanLine(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int, line: Int,
                         bounds: inout [UInt32], keep: Int) throws(StatsParseError) -> Line {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var odd = false
        var fields = 0
        var j = i
        while true {
            let start = j
            if fields < keep { bounds.append(UInt32(truncatingIfNeeded: start)) }
            fields += 1
            let end: Int
            if j < n && p[j] == quote {
                odd.toggle()
                j += 1
                while true {
                    guard j < n else { throw .unterminatedQuote(line: line) }
                    let c = p[j]
                    if c == quote {
                        if j + 1 < n && p[j + 1] == quote { j += 2; continue }
                        odd.toggle()
                        j += 1
                        break
                    }
                    if c == lf && !odd { throw .unterminatedQuote(line: line) }
                    j += 1
                }
                end = j
                if j == n {
                    i = n
                } else if p[j] == comma {
                    j += 1
                    continue
                } else if p[j] == lf && !odd {
                    i = j + 1
                } else if p[j] == cr && j + 1 == n {
                    i = n
                } else if p[j] == cr && p[j + 1] == lf && !odd {
                    i = j + 2
                } else {
                    throw .garbageAfterQuote(line: line)
                }
            } else {
                while j < n {
                    let c = p[j]
                    if c == comma || (c == lf && !odd) { break }
                    if c == quote { odd.toggle() }
                    j += 1
                }
                if j < n && p[j] == comma {
                    j += 1
                    continue
                }
                end = j > start && p[j - 1] == cr ? j - 1 : j
                i = j < n ? j + 1 : n
            }
            if fields <= keep { bounds.append(UInt32(truncatingIfNeeded: end + 1)) }
            let size = end - start
            return Line(fields: fields, lastIsEmpty: size == 0 || (size == 2 && p[start] == quote),
                        lastIsBare: size == 0)
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
    case tooLarge(bytes: Int, limit: Int)

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
        case .tooLarge(let bytes, let limit):
            return "the stats page is \(bytes) bytes, more than the \(limit) that can be read"
        }
    }
}

import Foundation
