import Foundation
import HAProxy

/// One HAProxy we scrape: how it answered last, and when.
public struct BalancerState: Sendable {
    /// The stats page, as given or as discovered from gossip.
    public var endpoint: StatsEndpoint
    /// The gossip member this balancer runs on, if known.
    public var memberName: String?
    public var snapshot: StatsSnapshot?
    public var lastSuccess: Date?
    public var lastError: String?
    public var version: String?

    public init(endpoint: StatsEndpoint, memberName: String? = nil) {
        self.endpoint = endpoint
        self.memberName = memberName
    }

    /// Whether the last scrape worked.
    public var isReachable: Bool { lastError == nil && snapshot != nil }

    public var label: String { memberName ?? endpoint.authority }
}
