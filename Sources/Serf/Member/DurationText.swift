extension Duration {
    /// "1.5s", "200ms": short and readable.
    public func formatted() -> String {
        let (s, atto) = components
        let ms = Double(s) * 1000 + Double(atto) / 1e15
        if ms < 1000 { return "\(Int(ms.rounded()))ms" }
        let secs = ms / 1000
        return secs == secs.rounded() ? "\(Int(secs))s" : String(format: "%.1fs", secs)
    }
}

import Foundation
