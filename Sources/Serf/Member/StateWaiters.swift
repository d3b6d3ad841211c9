import Memberlist
import NIOCore

/// Callers suspended until the member's node reaches a state. The member
/// checks after every change it applies, so nobody polls.
struct StateWaiters {
    enum Goal: Sendable {
        /// Our leave intent has been gossiped (or timed out).
        case leaveComplete
        /// The user events we sent have been gossiped as often as Serf does.
        case eventsGossiped
    }

    private var pending: [(id: Int, goal: Goal, continuation: CheckedContinuation<Void, Never>)] = []
    private var nextID = 0

    mutating func add(_ goal: Goal, _ continuation: CheckedContinuation<Void, Never>) -> Int {
        nextID += 1
        pending.append((nextID, goal, continuation))
        return nextID
    }

    /// Resumes every caller whose goal is reached.
    mutating func resume(where reached: (Goal) -> Bool) {
        guard !pending.isEmpty else { return }
        pending.removeAll { entry in
            guard reached(entry.goal) else { return false }
            entry.continuation.resume()
            return true
        }
    }

    /// Resumes one caller, whatever its goal: its time is up.
    mutating func resume(id: Int) {
        guard let i = pending.firstIndex(where: { $0.id == id }) else { return }
        pending.remove(at: i).continuation.resume()
    }

    mutating func resumeAll() {
        for entry in pending { entry.continuation.resume() }
        pending.removeAll()
    }
}

extension SerfMember {
    func isReached(_ goal: StateWaiters.Goal) -> Bool {
        switch goal {
        case .leaveComplete: node.isLeaveComplete
        case .eventsGossiped: !node.hasPendingEvents
        }
    }

    /// Returns once `goal` is reached, the member stops, or `limit` passes.
    func wait(for goal: StateWaiters.Goal, limit: Duration? = nil) async {
        guard running, !isReached(goal) else { return }
        await withCheckedContinuation { continuation in
            let id = waiters.add(goal, continuation)
            if let limit {
                loop.scheduleTask(in: TimeAmount(limit)) { [weak self] () -> Void in
                    self?.assumeIsolated { $0.waiters.resume(id: id) }
                }
            }
        }
    }
}
