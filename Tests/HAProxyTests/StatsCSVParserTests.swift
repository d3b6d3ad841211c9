import Foundation
import HAProxy
import Testing

@Suite struct StatsCSVParserTests {
    func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func realCaptureParsesIntoServersAndStates() throws {
        let snapshot = try StatsCSVParser.parse(try fixture("haproxy-2.6.12"))
        #expect(snapshot.columns.count == 128)
        #expect(snapshot.columns.first == "pxname")
        let servers = Dictionary(uniqueKeysWithValues: snapshot.servers.map { ($0.qualifiedName, $0) })
        #expect(servers["nodes/s1"]?.status?.state == .up)
        #expect(servers["nodes/s2"]?.status?.state == .drain)
        #expect(servers["nodes/s3"]?.status?.state == .down)
        #expect(servers["nodes/s4"]?.status?.state == .maint)
        #expect(servers["nodes/s5"]?.status?.state == .noCheck)
        #expect(servers["mirror/s1"]?.status?.state == .maint)
        #expect(servers["mirror/s1"]?.status?.via == "nodes/s4")
        #expect(servers["nodes/s1"]?.weight == 1)
        #expect(servers["nodes/s1"]?.checkStatus == "L7OK")
        #expect(servers["nodes/s3"]?.checkStatus == "L4CON")
        #expect(servers["nodes/s3"]?["check_desc"] == "Layer4 connection problem")
        #expect(snapshot.frontends.map(\.proxy) == ["stats", "site"])
        #expect(snapshot.backends.count == 3)
        // Fields past 99 are found by name, wherever they stand.
        #expect(servers["nodes/s1"]?["reuse"] != nil || snapshot.columns.contains("reuse"))
    }

    @Test func statusFieldsAreUnderstood() {
        let cases: [(String, ServerStatus.State, Int?, Int?, String?)] = [
            ("UP", .up, nil, nil, nil), ("UP 1/3", .up, 1, 3, nil), ("DOWN 1/2", .down, 1, 2, nil),
            ("NOLB", .noLB, nil, nil, nil), ("DRAIN", .drain, nil, nil, nil), ("MAINT", .maint, nil, nil, nil),
            ("MAINT (via nodes/s1)", .maint, nil, nil, "nodes/s1"), ("no check", .noCheck, nil, nil, nil),
            ("OPEN", .open, nil, nil, nil), ("SOMETHING NEW", .unknown, nil, nil, nil),
        ]
        for (raw, state, cur, total, via) in cases {
            let s = ServerStatus(parsing: raw)
            #expect(s.state == state, "\(raw)")
            #expect(s.transition?.current == cur && s.transition?.total == total, "\(raw)")
            #expect(s.via == via, "\(raw)")
            #expect(s.raw == raw)
        }
    }

    @Test func olderVersionWithFewerColumnsParses() throws {
        let snapshot = try StatsCSVParser.parse(try fixture("haproxy-1.4-columns"))
        #expect(snapshot.columns.count == 51)
        let s2 = snapshot.servers.first { $0.qualifiedName == "nodes/s2" }
        #expect(s2?.status?.state == .drain)
        #expect(s2?["req_rate"] != nil || snapshot.columns.contains("req_rate"))
        #expect(s2?["check_desc"] == nil, "a column the old version lacks is simply absent")
    }

    @Test func unknownColumnsAreKept() throws {
        let csv = "# pxname,svname,status,type,brand_new_metric,\nb,s1,UP,2,42,\n"
        let row = try #require(try StatsCSVParser.parse(csv).rows.first)
        #expect(row["brand_new_metric"] == "42")
        #expect(row.int("brand_new_metric") == 42)
        #expect(row.fields == ["pxname": "b", "svname": "s1", "status": "UP", "type": "2", "brand_new_metric": "42"])
    }

    @Test func emptyFieldsAreAbsentNotZero() throws {
        let row = try #require(try StatsCSVParser.parse("# pxname,svname,scur,weight,type,\nb,s,,3,2,\n").rows.first)
        #expect(row.currentSessions == nil)
        #expect(row.weight == 3)
        #expect(row["scur"] == nil)
    }

    @Test func quotedTextWithCommasAndQuotes() throws {
        let csv = "# pxname,svname,check_desc,type,\nb,s1,\"refused, then \"\"reset\"\"\",2,\nb,s2,\"two\nlines\",2,\n"
        let rows = try StatsCSVParser.parse(csv).rows
        #expect(rows.count == 2)
        #expect(rows[0]["check_desc"] == "refused, then \"reset\"")
        #expect(rows[1]["check_desc"] == "two\nlines")
    }

    @Test func truncatedLastLineNamesTheLine() throws {
        let full = try fixture("haproxy-2.6.12")
        let cut = String(full.dropLast(40))
        let lines = cut.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(throws: StatsParseError.self) { try StatsCSVParser.parse(cut) }
        do {
            _ = try StatsCSVParser.parse(cut)
        } catch {
            #expect(error.description.contains("line \(lines)"), "\(error)")
            #expect(error.description.contains("truncated"), "\(error)")
        }
    }

    @Test func nonCSVBodiesAreNamed() {
        #expect(throws: StatsParseError.noHeader(looksLikeHTML: true)) {
            try StatsCSVParser.parse("<html><body>Statistics Report</body></html>")
        }
        #expect(throws: StatsParseError.empty) { try StatsCSVParser.parse("") }
        #expect(throws: StatsParseError.missingColumns(line: 1, ["svname"])) { try StatsCSVParser.parse("# pxname,status\n") }
        #expect(throws: StatsParseError.unterminatedQuote(line: 2)) { try StatsCSVParser.parse("# pxname,svname\nb,\"open") }
        #expect(throws: StatsParseError.tooManyFields(line: 2, fields: 4, expected: 2)) { try StatsCSVParser.parse("# pxname,svname\na,b,c,d\n") }
    }

    @Test func randomGarbageNeverCrashes() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0 ..< 2000 {
            let n = Int.random(in: 0 ... 300, using: &rng)
            let alphabet: [UInt8] = Array("#,\"\n\r pxnamesvUP0123".utf8)
            let bytes = (0 ..< n).map { _ in alphabet.randomElement(using: &rng)! }
            _ = try? StatsCSVParser.parse(bytes)
        }
    }

    @Test func endpointsFromWhatPeopleType() throws {
        #expect(try StatsEndpoint("10.0.0.1").csvURL == "http://10.0.0.1:1936/;csv")
        #expect(try StatsEndpoint("lb:8404").csvURL == "http://lb:8404/;csv")
        #expect(try StatsEndpoint("http://lb:1936/").csvURL == "http://lb:1936/;csv")
        #expect(try StatsEndpoint("http://lb:1936/;csv").pageURL == "http://lb:1936/")
        #expect(try StatsEndpoint("http://lb/haproxy?stats").csvURL == "http://lb/haproxy?stats;csv")
        #expect(try StatsEndpoint("http://lb/haproxy?stats;csv").pageURL == "http://lb/haproxy?stats")
        let auth = try StatsEndpoint("http://admin:pw@lb:1936/")
        #expect(auth.username == "admin" && auth.password == "pw" && auth.csvURL == "http://lb:1936/;csv")
        #expect(throws: HAProxyError.self) { try StatsEndpoint("ftp://x/") }
        #expect(HAProxyAddress("unix:/run/haproxy/admin.sock") == .unix(path: "/run/haproxy/admin.sock"))
        #expect(HAProxyAddress("tcp://127.0.0.1:9999") == .tcp(host: "127.0.0.1", port: 9999))
        #expect(HAProxyAddress("127.0.0.1:9999") == .tcp(host: "127.0.0.1", port: 9999))
        #expect(HAProxyAddress("nonsense") == nil)
    }

    @Test func masterShowProcIsUnderstood() {
        let text = """
        #<PID>          <type>          <reloads>       <uptime>        <version>
        13740           master          2 [failed: 1]   0d00h03m02s     2.6.12-1+deb12u4
        # workers
        16850           worker          1               0d00h00m03s     2.6.12-1+deb12u4
        # programs

        """
        let p = MasterCLI.parseProcesses(text)
        #expect(p?.masterPID == 13740 && p?.reloads == 2 && p?.failedReloads == 1 && p?.workers == [16850])
    }
}
