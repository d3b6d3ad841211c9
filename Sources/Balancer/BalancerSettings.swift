import BalancerContract
import HAProxy
import Serf

/// Everything `serftop balancer` is told on its command line.
public struct BalancerSettings: Sendable {
    public var templatePath: String
    public var configPath: String
    public var haproxy = "haproxy"
    /// The master CLI reloads; without it the file is installed and not reloaded.
    public var masterCLI: HAProxyAddress?
    /// The runtime API drains leaving servers and answers `serftop-server`.
    public var runtimeAPI: HAProxyAddress?
    /// `server-state-file` of the template: saved before each reload so that
    /// drain and maint set by an operator survive it.
    public var stateFile: String?
    /// Checks the signatures of serftop-server and serftop-reload queries;
    /// without it they are refused.
    public var actionKey: ActionKey?
    public var backend = BalancerBackend.defaultName
    public var selection = ServerSelection()
    /// Extra template values (`--set key=value`).
    public var values: [String: String] = [:]
    public var quietPeriod: Duration = .milliseconds(200)
    public var maxWait: Duration = .seconds(2)
    /// After this long without an apply, an addition is applied at once
    /// (see ChangeBatch); nil waits for the quiet period every time.
    public var calmPeriod: Duration? = .seconds(2)
    /// The window for batches that only remove servers (see ChangeBatch).
    public var removalQuietPeriod: Duration = .seconds(2)
    public var removalMaxWait: Duration = .seconds(10)
    /// How often the member list is read when nothing says it changed: a
    /// safety net. Changes are read at once on the source's change signal
    /// (`MembershipSource.membershipChanges`).
    public var pollInterval: Duration = .seconds(2)
    /// How long a leaving server may keep its sessions before it is removed.
    public var drainTimeout: Duration = .seconds(10)
    /// How long the agent must have been joined to others before a member
    /// missing from its list counts as gone (see RemovalGuard): longer than
    /// serf's 30 s reconnect interval, so every live member is back.
    public var absenceGrace: Duration = .seconds(60)
    /// A render that removes at least this share of the servers at once is
    /// held back (1: only one that removes them all).
    public var maxRemovedShare = 1.0
    /// How often the master CLI is asked whether HAProxy is running.
    public var watchInterval: Duration = .seconds(2)
    /// …until the same view has held this long, or a reload is forced.
    public var holdRelease: Duration = .seconds(30)

    public init(templatePath: String, configPath: String) {
        self.templatePath = templatePath
        self.configPath = configPath
    }

    /// The values every template gets, under those set on the command line.
    public var templateValues: [String: String] {
        var v = ["backend": backend.text]
        if let stateFile { v["state_file"] = stateFile }
        // The same server must get the same cookie from every balancer, and
        // outsiders must not be able to work its address back from it.
        v["cookie_key"] = actionKey?.derived(for: "haproxy dynamic-cookie-key") ?? "serftop-unsigned-cluster"
        return v.merging(values) { $1 }
    }
}
