import Memberlist

/// How to run a native member: where to listen, what to call ourselves, what
/// to tell others, and how to reach the cluster.
public struct SerfMemberConfig: Sendable {
    public var nodeName: String
    public var tags: [String: String]
    /// Where to listen for gossip (UDP and TCP on the same port). Port 0 picks one.
    public var bindHost: String = "0.0.0.0"
    public var bindPort: Int = 7946
    /// What to tell others; nil: the bind address, or this machine's first
    /// private IPv4 address when bound to 0.0.0.0.
    public var advertiseHost: String?
    public var advertisePort: Int?
    /// `host[:port]` of members to join through.
    public var seeds: [String] = []
    /// Gossip encryption keys (16, 24 or 32 bytes; the first is primary).
    public var keys: [[UInt8]] = []
    /// Where the keyring came from; rewritten when the cluster rotates keys.
    public var keyringFile: String?
    /// memberlist's timing profile.
    public var profile: Profile = .lan
    /// How long a TCP exchange (join, push/pull, TCP ping) may take.
    public var tcpTimeout: Duration = .seconds(10)
    /// Replay user events from before we joined.
    public var replayOldEvents = false
    /// Serf settings (reap timeouts and such), beyond name and tags.
    public var tune: @Sendable (inout SerfConfig, inout MemberlistConfig) -> Void = { _, _ in }

    public enum Profile: String, Sendable, CaseIterable { case lan, local }

    public init(nodeName: String, tags: [String: String]) {
        self.nodeName = nodeName
        self.tags = tags
    }
}

/// Errors a person can act on, from starting, joining or leaving.
public enum SerfMemberError: Error, Sendable, CustomStringConvertible {
    case cannotBind(String, underlying: String)
    case noSeedReachable([String: String])
    case badAddress(String)
    case notRunning

    public var description: String {
        switch self {
        case .cannotBind(let addr, let why):
            return "cannot listen for gossip on \(addr): \(why) (another agent on that port? try --bind 0.0.0.0:0)"
        case .noSeedReachable(let failures):
            let lines = failures.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }
            return "could not join the cluster: no member answered\n" + lines.joined(separator: "\n")
        case .badAddress(let a):
            return "'\(a)' is not an address: use HOST or HOST:PORT"
        case .notRunning:
            return "the gossip member is not running (it has left or was never started)"
        }
    }
}
