import Foundation
import HAProxy

/// One HAProxy we scrape: how it answered last, and when.
public struct BalancerState: Sendable {
    /// The stats page, as given or as discovered from gossip.
    public var endpoint: StatsEndpoint
    /// The gossip member this balancer runs on, if known.
    public var memberName: String?
    /// Given on the command line (`--haproxy`), or advertised by a member.
    public var origin: Origin
    public var snapshot: StatsSnapshot?
    public var lastSuccess: Date?
    public var lastError: String?
    public var version: String?

    public enum Origin: String, Sendable { case configured, discovered }

    public init(endpoint: StatsEndpoint, memberName: String? = nil, origin: Origin = .configured) {
        self.endpoint = endpoint
        self.memberName = memberName
        self.origin = origin
    }

    /// Whether our scrapes carry the stats credentials.
    public var sendsCredentials: Bool { endpoint.username != nil }

    /// Where it came from and whether it gets the credentials, in a word or two.
    public var provenance: String {
        (origin == .configured ? "given" : "found") + (sendsCredentials ? ", auth" : "")
    }

    /// Whether the last scrape worked.
    public var isReachable: Bool { lastError == nil && snapshot != nil }

    public var label: String { memberName ?? endpoint.authority }

    /// When the snapshot on screen was taken, if the last scrape failed:
    /// its rows are old news and drawn as such.
    public var staleSince: Date? { lastError == nil ? nil : lastSuccess }
}
