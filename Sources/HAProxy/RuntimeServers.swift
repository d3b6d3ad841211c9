/// Adding and deleting servers in a running HAProxy (2.4 and later), so that
/// a change of the server list needs no reload. Each step is one command, and
/// a step HAProxy refuses throws `RuntimeServers.Refused` with HAProxy's own
/// words, for the caller to fall back to a reload.
public struct RuntimeServers: Sendable {
    public let api: RuntimeAPI
    public let backend: HAProxyName

    public init(api: RuntimeAPI, backend: HAProxyName) {
        self.api = api
        self.backend = backend
    }

    public struct Refused: Error, Sendable, CustomStringConvertible {
        public let command: String
        public let answer: String
        public var description: String { "HAProxy refused '\(command)': \(answer)" }
    }

    /// The names of the backend's servers as HAProxy has them now.
    public func names() async throws -> Set<String> {
        let text = try await api.command("show servers state \(backend)")
        return Self.parseNames(text, backend: backend.text)
    }

    /// `show servers state` is a version line, a `#` header, then one line
    /// per server: `be_id be_name srv_id srv_name …`. An error comes back as
    /// a sentence, which has no such lines.
    static func parseNames(_ text: String, backend: String) -> Set<String> {
        var names: Set<String> = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count > 4, Int(words[0]) != nil, words[1] == backend, Int(words[2]) != nil else { continue }
            names.insert(String(words[3]))
        }
        return names
    }

    /// Adds `server` at `address` with the server keywords `options` (as the
    /// configuration's server line gives them), starts its health checks if
    /// it has any, and puts it in service. `dynamicCookie` regenerates the
    /// backend's dynamic cookies, which HAProxy 2.6 does not do for a server
    /// added at run time.
    public func add(_ server: HAProxyName, address: String, options: [String], dynamicCookie: Bool) async throws {
        let target = ServerTarget(backend: backend, server: server)
        let line = (["add server \(target) \(address)"] + options).joined(separator: " ")
        try await expect(line, answer: "New server registered.")
        if options.contains("check") { try await expect("enable health \(target)", answer: "") }
        if dynamicCookie { try await expect("enable dynamic-cookie backend \(backend)", answer: "") }
        try await expect("enable server \(target)", answer: "")
    }

    /// Takes `server` out of service, ends the sessions it still has (it has
    /// been drained, or its member failed) and deletes it.
    public func delete(_ server: HAProxyName) async throws {
        let target = ServerTarget(backend: backend, server: server)
        try await expect("set server \(target) state maint", answer: "")
        try await expect("shutdown sessions server \(target)", answer: "")
        // Sessions end on their own threads: HAProxy refuses the deletion
        // until the last one has let go, which takes a few milliseconds.
        var attempt = 0
        while true {
            do {
                try await expect("del server \(target)", answer: "Server deleted.")
                return
            } catch let refused as Refused where attempt < 20 && refused.answer.contains("connection") {
                attempt += 1
                try await Task.sleep(for: .milliseconds(25))
            }
        }
    }

    func expect(_ line: String, answer wanted: String) async throws {
        let answer = try await api.command(line).trimmingCharacters(in: .whitespacesAndNewlines)
        guard answer == wanted else { throw Refused(command: line, answer: answer.isEmpty ? "(nothing)" : answer) }
    }
}
