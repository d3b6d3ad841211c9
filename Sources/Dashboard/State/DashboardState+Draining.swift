/// The `D` workflow: drain, then maint once the node's sessions reach 0.
/// Decided here, from what the runtime reports, so that it can be tested
/// without a cluster.
extension DashboardState {
    /// An action the runtime carried out has finished.
    public mutating func finished(_ action: ClusterAction, succeeded: Bool) -> [Effect] {
        guard case .drainThenMaint(let node, let balancer) = action else { return [] }
        guard succeeded else { return [.log(.failure, "\(node): not draining, so no maint either")] }
        draining[node] = DrainWatch(on: balancer, .drained)
        return []
    }

    /// New stats for the rows: a draining node without sessions goes to maint.
    public mutating func scraped(_ rows: [NodeRow]) -> [Effect] {
        var effects: [Effect] = []
        for (node, watch) in draining {
            // A node missing from the stats, or without a count, waits.
            guard let row = rows.first(where: { $0.name == node }), let sessions = row.sessions(on: watch.balancer) else { continue }
            let place = watch.balancer.map { " on \($0)" } ?? ""
            if sessions == 0 {
                draining[node] = nil
                effects.append(.log(.info, "\(node): no sessions left\(place), setting maint"))
                effects.append(.perform(watch.balancer.map { .serverOn(.maint, node: node, balancer: $0) } ?? .server(.maint, node: node)))
            } else if watch.progress != .sessions(sessions) {
                draining[node]?.progress = .sessions(sessions)
                effects.append(.log(.info, "\(node): draining\(place), \(sessions) session\(sessions == 1 ? "" : "s") left"))
            }
        }
        return effects
    }
}
