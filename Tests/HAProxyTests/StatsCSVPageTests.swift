import Foundation
@testable import HAProxy
import Testing

/// The parser keeps the page and decodes fields when read; these tests hold
/// it to what a plain split into Strings gives, on well-formed and hostile input.
@Suite struct StatsCSVPageTests {
    @Test func agreesWithAPlainSplitOnRandomBodies() {
        var rng = SystemRandomNumberGenerator()
        let alphabets: [[UInt8]] = [
            Array("#,\"\n\r pxnamesvUP0123".utf8),
            Array(",,,\"\n12ab".utf8) + [0xFF, 0xC3, 0xA9],
            Array("# pxname,svname,type,\n".utf8) + Array("b,s,2,\"x\"\"y\",\r\n".utf8),
        ]
        for round in 0 ..< 6000 {
            let alphabet = alphabets[round % alphabets.count]
            var bytes: [UInt8] = round % 2 == 0 ? Array("# pxname,svname,type,\n".utf8) : []
            for _ in 0 ..< Int.random(in: 0 ... 200, using: &rng) { bytes.append(alphabet.randomElement(using: &rng)!) }
            expectAgreement(bytes)
        }
    }

    @Test func agreesWithAPlainSplitOnCaptures() throws {
        for name in ["haproxy-2.6.12", "haproxy-1.4-columns"] {
            let url = try #require(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
            let bytes = Array(try Data(contentsOf: url))
            expectAgreement(bytes)
            // Cut anywhere: every prefix fails or parses as the plain split does.
            for cut in stride(from: 1, to: bytes.count, by: 7) { expectAgreement(Array(bytes[..<cut])) }
        }
    }

    @Test func edgeCasesAgree() {
        let cases = [
            "# pxname,svname\r\nb,s\r\n", "# pxname,svname\nb,s\r", "# pxname,svname\nb,\"s\"\r", "# pxname,svname\nb,\"s\"\r\n",
            "# pxname,svname\n\n\r\nb,s\n\n", "# pxname,svname\nb,s,\"\"\n", "# pxname,svname\nb,s,\"x\"\n",
            "# pxname,svname\nb,s\"x\ny,z\n", "# pxname,svname\nb\"\"\",\"s\n\",\n", "# pxname,svname\nb,\"s\"x\n",
            "# pxname,svname\nb,\"s\"\n\"", "#\n", "#\r\n", "#\r", "#x", "# \"pxname\",svname\n", "# pxname,svname,pxname\nb,s,c\n",
            "# pxname,,svname,\nb,,s,\n", "# pxname,svname,type\nb,s,\"2\"\n", "# pxname,svname,type\nb,BACKEND,x\n",
            "# pxname,svname\n\"\"\"b\",s\n", "# pxname,svname\nb,s\n\"",
        ]
        for text in cases { expectAgreement(Array(text.utf8)) }
    }

    @Test func bytesThatAreNotUTF8ReadAsReplacementCharacters() throws {
        let bytes = Array("# pxname,svname,check_desc,type,\nb,s1,".utf8) + [0xFF, 0xFE] + Array(",2,\n".utf8)
        let row = try #require(try StatsCSVParser.parse(bytes).rows.first)
        #expect(row["check_desc"] == "\u{FFFD}\u{FFFD}")
        #expect(row.values == ["b", "s1", "\u{FFFD}\u{FFFD}", "2"])
        let odd = Array("# pxname,svname,".utf8) + [0xC3] + Array(",\nb,s,1,\n".utf8)
        let snapshot = try StatsCSVParser.parse(odd)
        #expect(snapshot.columns == ["pxname", "svname", "\u{FFFD}"])
        #expect(snapshot.rows.first?["\u{FFFD}"] == "1")
    }

    @Test func oddHeaderNames() throws {
        let csv = "# pxname,svname,,\"a,b\",pxname,\"\"\"q\"\"\",\nb,s,e,ab,shadow,q,\n"
        let snapshot = try StatsCSVParser.parse(csv)
        #expect(snapshot.columns == ["pxname", "svname", "", "a,b", "pxname", "\"q\""])
        let row = try #require(snapshot.rows.first)
        #expect(row.proxy == "b", "the first of two columns with one name counts")
        #expect(row["a,b"] == "ab" && row["\"q\""] == "q" && row[""] == "e")
        // By name, every field: a later column of the same name overwrites, as it always has.
        #expect(row.fields == ["pxname": "shadow", "svname": "s", "": "e", "a,b": "ab", "\"q\"": "q"])
    }

    @Test func numbersReadAsIntDoes() throws {
        let texts = ["0", "-0", "+7", "-", "+", "", "12a", " 1", "1 ", "9223372036854775807", "9223372036854775808",
                     "-9223372036854775808", "-9223372036854775809", "00012", "١٢", "1e3", "0x10", "\"5\"", "\"\"\"5\""]
        let csv = "# pxname,svname," + texts.indices.map { "c\($0)" }.joined(separator: ",") + "\nb,s,"
            + texts.joined(separator: ",") + "\n"
        let row = try #require(try StatsCSVParser.parse(csv).rows.first)
        for (i, text) in texts.enumerated() {
            let decoded = row.values[i + 2]
            #expect(row.int("c\(i)") == (decoded.isEmpty ? nil : Int(decoded)), "\(text)")
        }
    }

    @Test func rowsCompareByTextWhereverTheBytesLive() throws {
        let a = try StatsCSVParser.parse("# pxname,svname,check_desc,type,\nb,s,\"x\",2,\n").rows[0]
        let b = try StatsCSVParser.parse("# pxname,svname,check_desc,type,\r\nb,s,x,2\r\n").rows[0]
        let c = try StatsCSVParser.parse("# pxname,svname,check_desc,type,\nb,s,y,2,\n").rows[0]
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(a != c)
        #expect(a == StatsRow(header: a.header, values: ["b", "s", "x", "2"]))
        // Canonically equivalent text is equal, as the Strings are.
        let e1 = try StatsCSVParser.parse("# pxname,svname\nb,caf\u{E9}\n").rows[0]
        let e2 = try StatsCSVParser.parse("# pxname,svname\nb,cafe\u{301}\n").rows[0]
        #expect(e1 == e2 && e1.hashValue == e2.hashValue)
    }

    @Test func valuesGivenDirectlyReadBackAsGiven() {
        let values = ["\"quoted\"", "a,b", "two\nlines", "\"", "", "3"]
        let header = StatsHeader(columns: ["pxname", "svname", "x", "y", "z", "weight"])
        let row = StatsRow(header: header, values: values)
        #expect(row.values == values)
        #expect(row.proxy == "\"quoted\"" && row.service == "a,b" && row.type == .server)
        #expect(row["z"] == nil && row.weight == 3 && row["y"] == "\"")
        let short = StatsRow(header: header, values: ["b"])
        #expect(short.service == "" && short["weight"] == nil && short.values == ["b"])
        #expect(StatsRow(fields: ["pxname": "b", "svname": "BACKEND"]).type == .backend)
    }

    @Test func aHugeLineFailsWithoutKeepingItsFields() throws {
        let many = "# pxname,svname\n" + String(repeating: ",", count: 2_000_000) + "\n"
        #expect(throws: StatsParseError.tooManyFields(line: 2, fields: 2_000_001, expected: 2)) { try StatsCSVParser.parse(many) }
        let long = "# pxname,svname\n" + String(repeating: "x", count: 2_000_000) + "\n"
        #expect(throws: StatsParseError.truncatedLine(line: 2, fields: 1, expected: 2, atEnd: false)) { try StatsCSVParser.parse(long) }
        let open = "# pxname,svname\nb,\"" + String(repeating: "x\n", count: 1_000_000)
        #expect(throws: StatsParseError.unterminatedQuote(line: 2)) { try StatsCSVParser.parse(open) }
    }

    @Test func aPageTooLargeForItsOffsetsIsRefused() {
        let bytes = Array("# pxname,svname\nb,s\n".utf8)
        #expect(throws: StatsParseError.tooLarge(bytes: bytes.count, limit: 10)) { try StatsCSVParser.parse(bytes, limit: 10) }
        #expect(StatsParseError.tooLarge(bytes: 20, limit: 10).description.contains("20 bytes"))
        #expect((try? StatsCSVParser.parse(bytes, limit: bytes.count))?.rows.count == 1)
    }

    func expectAgreement(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let plain = PlainStatsSplit.parse(bytes)
        let fast = Result { () throws(StatsParseError) in try StatsCSVParser.parse(bytes) }
        switch (plain, fast) {
        case (.failure(let a), .failure(let b)):
            #expect(a == b, "\(String(decoding: bytes, as: UTF8.self).debugDescription)", sourceLocation: sourceLocation)
        case (.success(let a), .success(let b)):
            #expect(a.columns == b.columns, sourceLocation: sourceLocation)
            #expect(a.rows.map(\.values) == b.rows.map(\.values), sourceLocation: sourceLocation)
            #expect(a.rows.map(\.proxy) == b.rows.map(\.proxy) && a.rows.map(\.service) == b.rows.map(\.service)
                && a.rows.map(\.type) == b.rows.map(\.type), sourceLocation: sourceLocation)
            let b2 = b.rows.map { StatsRow(header: $0.header, values: $0.values) }
            #expect(b2 == b.rows, sourceLocation: sourceLocation)
        default:
            Issue.record("\(String(decoding: bytes, as: UTF8.self).debugDescription): \(plain) but \(fast)", sourceLocation: sourceLocation)
        }
    }
}

/// The parser as it was when it made a String of every field: slow, and
/// plain enough to be the reference for what each input means.
enum PlainStatsSplit {
    struct Parsed {
        var columns: [String]
        var rows: [(proxy: String, service: String, type: RowType, values: [String])]
    }

    static func parse(_ bytes: [UInt8]) -> Result<Parsed, StatsParseError> {
        Result { () throws(StatsParseError) in try bytes.withUnsafeBufferPointer { b throws(StatsParseError) in try parse(b) } }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(StatsParseError) -> Parsed {
        guard !bytes.isEmpty else { throw .empty }
        var lines = LineCursor(bytes: bytes)
        guard let first = lines.next() else { throw .empty }
        guard first.count >= 2, first[first.startIndex] == UInt8(ascii: "#") else {
            throw .noHeader(looksLikeHTML: bytes.prefix(64).contains(UInt8(ascii: "<")))
        }
        var headerFields = try fields(first, line: 1)
        headerFields[0] = headerFields[0].drop { $0 == "#" || $0 == " " }.description
        if headerFields.last == "" { headerFields.removeLast() }
        guard headerFields.contains("pxname"), headerFields.contains("svname") else {
            throw .missingColumns(line: 1, ["pxname", "svname"].filter { !headerFields.contains($0) })
        }
        let header = StatsHeader(columns: headerFields)
        var rows: [(proxy: String, service: String, type: RowType, values: [String])] = []
        var lineNumber = 1
        while let line = lines.next() {
            lineNumber += 1
            if line.isEmpty { continue }
            var values = try fields(line, line: lineNumber)
            if values.count == header.columns.count + 1 && values.last == "" { values.removeLast() }
            if values.count < header.columns.count {
                throw .truncatedLine(line: lineNumber, fields: values.count, expected: header.columns.count,
                                     atEnd: lines.isAtEnd && !lines.endedWithNewline)
            }
            if values.count > header.columns.count {
                throw .tooManyFields(line: lineNumber, fields: values.count, expected: header.columns.count)
            }
            func at(_ name: String) -> String { header.index(of: name).map { values[$0] } ?? "" }
            let service = at("svname")
            let type = Int(at("type")).flatMap(RowType.init(rawValue:))
                ?? (service == "FRONTEND" ? .frontend : service == "BACKEND" ? .backend : .server)
            rows.append((at("pxname"), service, type, values))
        }
        return Parsed(columns: headerFields, rows: rows)
    }

    static func fields(_ line: UnsafeBufferPointer<UInt8>.SubSequence, line number: Int) throws(StatsParseError) -> [String] {
        var out: [String] = []
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
                out.append(String(decoding: UnsafeBufferPointer(rebasing: line[start ..< i]), as: UTF8.self))
            }
            if i == end { return out }
            i += 1
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
