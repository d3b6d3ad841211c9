/// The timer that turns a suspect into dead unless it refutes in time.
///
/// It starts at `max` and shrinks towards `min` as other nodes independently
/// confirm the suspicion (Lifeguard): the more witnesses, the sooner we act.
struct Suspicion: Sendable {
    let start: Duration
    let min: Duration
    let max: Duration
    /// Confirmations expected before the timeout reaches `min`.
    let k: Int
    private(set) var confirmations: Set<String>
    private(set) var deadline: Duration

    init(from: String, k: Int, min: Duration, max: Duration, now: Duration) {
        self.start = now
        self.min = min
        self.max = max
        self.k = k
        confirmations = [from]
        deadline = now + (k < 1 ? min : max)
    }

    var confirmationCount: Int { confirmations.count - 1 }

    /// Records an independent confirmation; false if it adds nothing (already
    /// heard from that node, or enough confirmations already).
    mutating func confirm(from: String) -> Bool {
        guard confirmationCount < k, !confirmations.contains(from) else { return false }
        confirmations.insert(from)
        let n = Double(confirmationCount)
        let frac = log(n + 1) / log(Double(k) + 1)
        let raw = max.seconds - frac * (max.seconds - min.seconds)
        let timeout = Swift.max(Duration.milliseconds(Int64((raw * 1000).rounded(.down))), min)
        deadline = start + timeout
        return true
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
