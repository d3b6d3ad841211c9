/// The `D` workflow: drain, then maint once the node's sessions reach 0.
/// Decided here, from what the runtime reports, so that it can be tested
/// without a cluster.
extension DashboardState {
    /// An action the runtime carried out has finished.
    public mutating func finished(_ action: ClusterAction, succeeded: Bool) -> [Effect] {
        guard case .drainThenMaint(let node, let balancer) = action else { return [] }
        guard succeeded else { return [.log(.failure, "\(node): not draining, so no maint either")] }
        draining[DrainTarget(node, on: balancer)] = .drained
        return []
    }

    /// New stats for the rows: a draining node without sessions goes to maint.
    public mutating func scraped(_ rows: [NodeRow]) -> [Effect] {
        var effects: [Effect] = []
        // In a stable order: the effects are said in the event pane.
        for (target, progress) in draining.sorted(by: { ($0.key.node, $0.key.balancer ?? "") < ($1.key.node, $1.key.balancer ?? "") }) {
            let node = target.node
            // A node missing from the stats, or without a count, waits.
            guard let row = rows.first(where: { $0.name == node }), let sessions = row.sessions(on: target.balancer) else { continue }
            let place = target.balancer.map { " on \($0)" } ?? ""
            if sessions == 0 {
                draining[target] = nil
                effects.append(.log(.info, "\(node): no sessions left\(place), setting maint"))
                effects.append(.perform(target.balancer.map { .serverOn(.maint, node: node, balancer: $0) } ?? .server(.maint, node: node)))
            } else if progress != .sessions(sessions) {
                draining[target] = .sessions(sessions)
                effects.append(.log(.info, "\(node): draining\(place), \(sessions) session\(sessions == 1 ? "" : "s") left"))
            }
        }
        return effects
    }
}
