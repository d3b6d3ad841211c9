import Foundation

/// How a balancer answers a query: one line of text. A refusal or failure
/// starts with `error:`; a request carried out while something else is
/// wrong with HAProxy ends with `(warning: …)`.
public struct BalancerReply: Sendable, Hashable, CustomStringConvertible {
    /// What a failed reply starts with.
    public static let errorMarker = "error:"
    static let errorPrefix = errorMarker + " "
    /// Longer answers are cut: Serf carries a response in one UDP packet.
    public static let maxLength = 1000

    public var text: String

    public init(_ text: String) { self.text = text }

    public static func success(_ message: String) -> BalancerReply { BalancerReply(message) }
    public static func failure(_ message: String) -> BalancerReply { BalancerReply(errorPrefix + message) }

    /// The reply as it arrived, without the surrounding white space.
    public init(decoding bytes: [UInt8]) {
        text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func warning(_ warning: String?) -> BalancerReply {
        guard let warning else { return self }
        return BalancerReply(text + " (warning: \(warning))")
    }

    /// Whether the reply says the request was not carried out. A reply that
    /// mentions a failure anywhere (in a warning, say) counts as one too, so
    /// that the operator looks at it.
    public var succeeded: Bool {
        let lower = text.lowercased()
        return !lower.hasPrefix(Self.errorMarker) && !lower.contains("failed")
    }

    public var encoded: [UInt8] { Array(text.prefix(Self.maxLength).utf8) }

    public var description: String { text }
}
