/// memberlist timings and limits. The defaults are memberlist's LAN profile,
/// which is what `serf agent` uses unless told otherwise.
public struct MemberlistConfig: Sendable {
    public var name: String
    /// Where others reach us: put in our `alive` and push/pull state.
    public var advertise: Endpoint
    public var meta: [UInt8]
    public var versions: ProtocolVersions = .serfAgent

    public var probeInterval: Duration = .seconds(1)
    public var probeTimeout: Duration = .milliseconds(500)
    public var indirectChecks = 3
    public var retransmitMult = 4
    public var suspicionMult = 4
    public var suspicionMaxTimeoutMult = 6
    public var pushPullInterval: Duration = .seconds(30)
    public var gossipInterval: Duration = .milliseconds(200)
    public var gossipNodes = 3
    public var gossipToTheDeadTime: Duration = .seconds(30)
    public var awarenessMaxMultiplier = 8
    public var disableTCPPings = false
    /// The largest UDP payload we build before encryption.
    public var udpBufferSize = 1400
    /// Bytes encryption adds to a packet (29 for AES-GCM version 1, else 0).
    public var encryptionOverhead = 0

    public init(name: String, advertise: Endpoint, meta: [UInt8] = []) {
        self.name = name
        self.advertise = advertise
        self.meta = meta
    }

    /// memberlist's "local" profile: faster failure detection, for one machine.
    public static func local(name: String, advertise: Endpoint, meta: [UInt8] = []) -> MemberlistConfig {
        var c = MemberlistConfig(name: name, advertise: advertise, meta: meta)
        c.indirectChecks = 1
        c.retransmitMult = 2
        c.suspicionMult = 3
        c.pushPullInterval = .seconds(15)
        c.probeTimeout = .milliseconds(200)
        c.gossipInterval = .milliseconds(100)
        c.gossipToTheDeadTime = .seconds(15)
        return c
    }
}

/// The scaling rules memberlist applies to its timers as the cluster grows.
enum Scaling {
    /// Retransmissions per broadcast: mult × ceil(log10(n + 1)).
    static func retransmitLimit(mult: Int, nodes n: Int) -> Int {
        let scale = Int((log10(Double(n + 1))).rounded(.up))
        return mult * Swift.max(scale, 1)
    }

    /// Minimum suspicion timeout: mult × max(1, log10(max(1, n))) × interval,
    /// the scale cut to thousandths as Go's time.Duration(nodeScale*1000)
    /// does, so that both sides of a mixed cluster time out at the same moment.
    static func suspicionTimeout(mult: Int, nodes n: Int, interval: Duration) -> Duration {
        let scale = Swift.max(1.0, log10(Swift.max(1.0, Double(n))))
        return interval * mult * Int(scale * 1000) / 1000
    }

    /// Push/pull interval, scaled up past 32 nodes so that large clusters
    /// do not flood each other with full-state syncs.
    static func pushPullInterval(_ base: Duration, nodes n: Int) -> Duration {
        guard n > 32 else { return base }
        let mult = (log2(Double(n)) - log2(32.0)).rounded(.up) + 1
        return base * mult
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
