import BalancerContract
import HAProxy
import Serf

extension BalancerDaemon {
    /// Tells the cluster what an apply did (BalancerAnnouncement), so that
    /// every dashboard shows it. Sent on its own task: an agent slow to take
    /// the event must not hold up the next render. Never coalesced, so that
    /// no reload disappears behind a later one.
    func announce(_ result: ApplyResult, from before: [BackendServer], to after: [BackendServer]) {
        let kind: BalancerAnnouncement.Kind
        switch result.kind {
        case .reloaded: kind = .reloaded
        case .updated: kind = .updated
        case .installed: kind = .installed
        case .failed: kind = .refused
        case .held: kind = .held
        case .unchanged: return
        }
        if kind == .refused || kind == .held {
            let key = "\(kind) \(after.map(\.name.text)) \(result.message)"
            guard key != announcedFailure else { return }
            announcedFailure = key
        } else {
            announcedFailure = nil
        }
        guard let source = announcer else { return }
        let was = Set(before.map(\.name)), now = Set(after.map(\.name))
        let reloads = self.reloads, logger = self.logger
        let reason = kind == .refused || kind == .held ? result.message : nil
        Task {
            do {
                let name = try await source.querySender().name
                let announcement = BalancerAnnouncement(
                    balancer: name, kind: kind, servers: after.count, reload: reloads,
                    added: now.subtracting(was).sorted(), removed: was.subtracting(now).sorted(), reason: reason)
                try await source.sendUserEvent(name: BalancerAnnouncement.eventName, payload: announcement.encoded,
                                               coalesce: false)
            } catch {
                logger.warning("cannot announce the \(kind) config to the cluster: \(error)")
            }
        }
    }
}
