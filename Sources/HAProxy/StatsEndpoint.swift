import Foundation

/// A HAProxy stats page, from what a person types: `host`, `host:port`, a
/// URL with or without `;csv`, credentials in the URL or given apart.
public struct StatsEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The CSV export's URL, without credentials.
    public let csvURL: String
    /// The page's own URL (where the admin form posts), without credentials.
    public let pageURL: String
    public let username: String?
    public let password: String?
    /// `host:port`, for messages and as the balancer's label. Worked out
    /// once: every frame labels every server row with it.
    public let authority: String
    public let host: String
    public let port: Int

    public static let defaultPort = 1936

    public init(_ text: String, username: String? = nil, password: String? = nil) throws(HAProxyError) {
        var s = text.trimmingCharacters(in: .whitespaces)
        if !s.contains("://") { s = "http://" + s }
        guard var parts = URLComponents(string: s), let host = parts.host, !host.isEmpty,
              parts.scheme == "http" || parts.scheme == "https" else {
            throw .badAddress(text)
        }
        self.username = parts.user ?? username
        self.password = parts.password ?? password
        parts.user = nil
        parts.password = nil
        if parts.port == nil && !text.contains("://") { parts.port = Self.defaultPort }
        var path = parts.percentEncodedPath
        if path.isEmpty { path = "/" }
        var query = parts.percentEncodedQuery
        // The export is the page's URL with ";csv" after the path or the query.
        let csvSuffixes = [";csv;norefresh", ";csv"]
        var pagePath = path, pageQuery = query
        if let q = query {
            if let suffix = csvSuffixes.first(where: { q.hasSuffix($0) }) { pageQuery = String(q.dropLast(suffix.count)) } else { query = q + ";csv" }
        } else if let suffix = csvSuffixes.first(where: { path.hasSuffix($0) }) {
            pagePath = String(path.dropLast(suffix.count))
            if pagePath.isEmpty { pagePath = "/" }
        } else {
            path += ";csv"
        }
        parts.percentEncodedPath = path
        parts.percentEncodedQuery = query
        guard let csv = parts.string else { throw .badAddress(text) }
        parts.percentEncodedPath = pagePath
        parts.percentEncodedQuery = pageQuery
        csvURL = csv
        pageURL = parts.string ?? csv
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = parts.port ?? (parts.scheme == "https" ? 443 : 80)
        authority = "\(host):\(port)"
    }

    public var description: String { csvURL }

    var authorization: String? {
        guard let username else { return nil }
        return "Basic " + Data("\(username):\(password ?? "")".utf8).base64EncodedString()
    }
}
