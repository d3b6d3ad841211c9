import Foundation
import TerminalUI

/// Stable JSON for scripts, pretty unless `compact` (one line); what a
/// terminal would obey is written as `\uXXXX` (TerminalText.escapedJSON).
public func jsonText(_ object: Any, compact: Bool = false) -> String {
    let options: JSONSerialization.WritingOptions = compact ? [.sortedKeys] : [.prettyPrinted, .sortedKeys]
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: options) else { return "{}" }
    return TerminalText.escapedJSON(String(decoding: data, as: UTF8.self))
}
