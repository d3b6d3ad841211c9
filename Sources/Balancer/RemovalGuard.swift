import HAProxy

/// When the balancer may believe that a server is gone.
///
/// The member list is the source of truth only when the agent behind it
/// knows the cluster. A serf agent that was just restarted knows itself
/// alone: every web app is absent from its list, and rendering from it
/// empties the backend until the apps' agents come back (serf retries failed
/// members every 30 s). So absence proves nothing until the agent has been
/// joined to others for `absenceGrace`; only a member seen `left` or `failed`
/// removes its server before that. And a render that would remove a large
/// share of the servers at once (by default: all of them) is held back and
/// reported, as consul-template refuses an empty render, until the same view
/// has held for `holdRelease` or a reload is forced.
struct RemovalGuard: Sendable {
    var absenceGrace: Duration
    var maxRemovedShare: Double
    var holdRelease: Duration
    /// When the source's list first showed another alive member since it connected.
    private(set) var joinedSince: ContinuousClock.Instant?
    /// The render being held back, and since when.
    private(set) var held: (servers: [BackendServer], since: ContinuousClock.Instant)?

    init(absenceGrace: Duration, maxRemovedShare: Double, holdRelease: Duration) {
        self.absenceGrace = absenceGrace
        self.maxRemovedShare = maxRemovedShare
        self.holdRelease = holdRelease
    }

    /// A fresh connection to the agent (it may be a fresh agent).
    mutating func connected() {
        joinedSince = nil
    }

    mutating func observe(aliveMembers: Int, at now: ContinuousClock.Instant) {
        // The agent itself is one of them.
        if joinedSince == nil && aliveMembers >= 2 { joinedSince = now }
    }

    /// Whether a member missing from the list may be taken as gone.
    func trustsAbsence(at now: ContinuousClock.Instant) -> Bool {
        guard let joinedSince else { return false }
        return now - joinedSince >= absenceGrace
    }

    enum Verdict: Equatable {
        case proceed
        /// Held back: how many servers it would remove, of how many.
        case hold(removing: Int, of: Int, firstTime: Bool)
    }

    /// Whether to install `servers` in place of `installed`.
    mutating func check(_ servers: [BackendServer], replacing installed: [BackendServer], force: Bool,
                        at now: ContinuousClock.Instant) -> Verdict {
        let removed = Set(installed.map(\.name)).subtracting(servers.map(\.name)).count
        guard !force, removed > 0, Double(removed) >= maxRemovedShare * Double(installed.count) else {
            held = nil
            return .proceed
        }
        if let held, held.servers == servers {
            if now - held.since >= holdRelease {
                self.held = nil
                return .proceed
            }
            return .hold(removing: removed, of: installed.count, firstTime: false)
        }
        held = (servers, now)
        return .hold(removing: removed, of: installed.count, firstTime: true)
    }

    /// Whether taking `names` out of rotation at once would be what `check` holds back.
    func allowsParking(_ names: Set<HAProxyName>, of installed: [BackendServer]) -> Bool {
        guard !names.isEmpty, !installed.isEmpty else { return true }
        return Double(names.count) < maxRemovedShare * Double(installed.count)
    }
}
