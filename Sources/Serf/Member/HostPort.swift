/// Splits `host[:port]` (and `[v6]:port`), filling in a default port.
public func splitHostPort(_ text: String, defaultPort: Int) -> (host: String, port: Int)? {
    let s = text.trimmingWhitespace()
    guard !s.isEmpty else { return nil }
    if s.hasPrefix("[") {
        guard let close = s.firstIndex(of: "]") else { return nil }
        let host = String(s[s.index(after: s.startIndex) ..< close])
        let rest = s[s.index(after: close)...]
        if rest.isEmpty { return (host, defaultPort) }
        guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (0 ... 65535).contains(port) else { return nil }
        return (host, port)
    }
    let colons = s.filter { $0 == ":" }.count
    if colons == 1, let i = s.lastIndex(of: ":") {
        guard let port = Int(s[s.index(after: i)...]), (0 ... 65535).contains(port) else { return nil }
        let host = String(s[..<i])
        return host.isEmpty ? nil : (host, port)
    }
    // No port, or a bare IPv6 address.
    return (s, defaultPort)
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
