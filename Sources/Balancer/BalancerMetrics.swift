import HAProxy
import Prometheus
import Serf

/// What `serftop balancer --metrics` serves, in Prometheus' text format.
/// Counters move as the daemon works; the gauges of servers and members are
/// read when a scrape asks, so an idle daemon does no work for them.
public final class BalancerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let applyDuration: DurationHistogram
    let reloads: Counter
    let rejected: Counter
    let haproxyUp: Gauge
    let agentConnected: Gauge

    static let serverStates = ["UP", "DOWN", "MAINT", "DRAIN", "NOLB", "no check", "other"]
    static let memberStatuses = MemberStatus.allCases.map(\.rawValue)

    public init() {
        applyDuration = registry.makeDurationHistogram(
            name: "serftop_balancer_apply_duration_seconds",
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)],
            help: "How long an apply took: render, haproxy -c, install, and the runtime changes or the reload.")
        reloads = registry.makeCounter(name: "serftop_balancer_reloads_total", help: "HAProxy reloads made by this balancer.")
        rejected = registry.makeCounter(name: "serftop_balancer_rejected_configs_total",
                                        help: "Renders refused by haproxy -c, by the template or by a failed reload.")
        haproxyUp = registry.makeGauge(name: "serftop_balancer_haproxy_up", help: "1 while HAProxy's master answers and has a worker.")
        agentConnected = registry.makeGauge(name: "serftop_balancer_agent_connected", help: "1 while the daemon follows its serf agent.")
        // Every series from the start, so that a rate over the first minutes is right.
        for kind in ApplyResult.Kind.allCases { _ = applies(kind) }
        for change in ["add", "delete"] { _ = runtimeChanges(change) }
    }

    func applies(_ kind: ApplyResult.Kind) -> Counter {
        registry.makeCounter(name: "serftop_balancer_applies_total", labels: [("result", "\(kind)")],
                             help: "Applies by how they ended.")
    }

    func runtimeChanges(_ change: String) -> Counter {
        registry.makeCounter(name: "serftop_balancer_runtime_changes_total", labels: [("change", change)],
                             help: "Servers added to or deleted from the running HAProxy without a reload.")
    }

    func recorded(_ result: ApplyResult, took: Duration) {
        applies(result.kind).increment()
        applyDuration.record(took)
        if result.kind == .reloaded { reloads.increment() }
        if result.kind == .failed { rejected.increment() }
        if result.added > 0 { runtimeChanges("add").increment(by: Int64(result.added)) }
        if result.deleted > 0 { runtimeChanges("delete").increment(by: Int64(result.deleted)) }
    }

    /// The servers of the backend by state, as HAProxy reports them now.
    func servers(_ rows: [StatsRow]?) {
        var counts = Dictionary(uniqueKeysWithValues: Self.serverStates.map { ($0, 0) })
        for row in rows ?? [] {
            let word = row.status?.word ?? "other"
            counts[counts[word] != nil ? word : "other", default: 0] += 1
        }
        for (state, n) in counts {
            registry.makeGauge(name: "serftop_balancer_servers", labels: [("state", state)],
                               help: "The backend's servers by state (nothing is reported while HAProxy does not answer).")
                .set(rows == nil ? .nan : Double(n))
        }
    }

    func members(_ list: [Member]) {
        var counts = Dictionary(uniqueKeysWithValues: Self.memberStatuses.map { ($0, 0) })
        for m in list { counts[m.status.rawValue, default: 0] += 1 }
        for (status, n) in counts {
            registry.makeGauge(name: "serftop_balancer_members", labels: [("status", status)],
                               help: "The cluster's members by status, as the agent lists them.")
                .set(Double(n))
        }
    }

    public func text() -> [UInt8] { registry.emitToBuffer() }
}
