import Foundation

/// A stats page that is not one: an HTTP listener (Python's) that answers
/// every GET with an empty stats CSV and writes down, per request, the
/// Authorization header it got ("-" for none).
public final class HeaderRecorder: @unchecked Sendable {
    public let port = FreePort.next()
    public let daemon: Daemon
    let logFile: URL

    public init() throws {
        let dir = TemporaryDirectory.shared.make("recorder")
        logFile = dir.appendingPathComponent("authorization.log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let script = """
        import http.server, sys
        log = open(sys.argv[2], "a", buffering=1)
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                log.write((self.headers.get("Authorization") or "-") + "\\n")
                body = b"# pxname,svname,status,type,\\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args): pass
        http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
        """
        daemon = try Daemon("header-recorder", executable: "python3", arguments: ["-c", script, "\(port)", logFile.path])
    }

    public var url: String { "http://127.0.0.1:\(port)/" }

    /// The Authorization header of every request so far, in order.
    public var authorizations: [String] {
        ((try? String(contentsOf: logFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
