import HAProxy

/// The balancer's backend as a rendered configuration says it: its server
/// lines, and what a server added at run time needs to match them. The file
/// is the one source of the servers' options, so a server added through the
/// runtime API gets exactly what the next reload would give it.
struct RenderedBackend: Equatable {
    /// Server name → the words after `server NAME` (address first).
    var servers: [String: [String]] = [:]
    /// `default-server` words of the `defaults` section and then of the
    /// backend: HAProxy applies neither to a server added at run time.
    var defaultOptions: [String] = []
    /// `cookie … dynamic`: a server's cookie is derived from its address.
    var dynamicCookie = false
    /// The text with the backend's `server` lines and comments left out:
    /// two renders that differ only there differ only in their servers.
    var skeleton: [Substring] = []

    static let sectionKeywords: Set<Substring> = [
        "global", "defaults", "frontend", "backend", "listen", "peers", "resolvers", "userlist",
        "program", "http-errors", "ring", "cache", "mailers",
    ]

    init(text: String, backend: HAProxyName) {
        var section: Substring = "", name: Substring = ""
        var defaultsSection: [String] = [], backendDefaults: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.prefix { $0 != "#" }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = words.first else { continue }
            if Self.sectionKeywords.contains(first) {
                section = first
                name = words.count > 1 ? words[1] : ""
                // A new `defaults` section replaces the one before it.
                if first == "defaults" { defaultsSection = [] }
                skeleton.append(line)
                continue
            }
            let inBackend = (section == "backend" || section == "listen") && name == backend.text[...]
            if section == "defaults" && first == "default-server" {
                defaultsSection += words.dropFirst().map(String.init)
            } else if inBackend && first == "default-server" {
                backendDefaults += words.dropFirst().map(String.init)
            } else if inBackend && first == "server" && words.count > 2 {
                servers[String(words[1])] = words.dropFirst(2).map(String.init)
                continue
            } else if inBackend && first == "cookie" {
                dynamicCookie = words.contains("dynamic")
            }
            skeleton.append(line)
        }
        defaultOptions = defaultsSection + backendDefaults
    }

    /// What `add server` is given for `name`: its address, then the
    /// defaults, then its own words, which HAProxy lets override them.
    func runtimeLine(for name: HAProxyName) -> (address: String, options: [String])? {
        guard let words = servers[name.text], let address = words.first else { return nil }
        return (address, defaultOptions + words.dropFirst())
    }
}
