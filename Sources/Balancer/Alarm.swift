import Synchronization

/// A sleep that another task can cut short: the balancer sleeps until its
/// next deadline, and a membership change that makes something due sooner
/// rings it, so nothing has to wake on a fixed beat to look.
final class Alarm: Sendable {
    private let state = Mutex<(rung: Bool, sleeper: Task<Void, Never>?)>((false, nil))

    /// Returns at `deadline`, or at once if rung since the last sleep ended.
    /// Throws only when the calling task is cancelled.
    func sleep(until deadline: ContinuousClock.Instant) async throws {
        let sleeper = Task { _ = try? await Task.sleep(until: deadline, clock: .continuous) }
        let rungAlready = state.withLock { s in
            if s.rung { s.rung = false; return true }
            s.sleeper = sleeper
            return false
        }
        if rungAlready { sleeper.cancel() }
        await withTaskCancellationHandler { await sleeper.value } onCancel: { sleeper.cancel() }
        state.withLock { s in
            s.sleeper = nil
            s.rung = false
        }
        try Task.checkCancellation()
    }

    /// Ends the current sleep now, or the next one as soon as it starts.
    func ring() {
        state.withLock { s in
            if let sleeper = s.sleeper { sleeper.cancel() } else { s.rung = true }
        }
    }
}
