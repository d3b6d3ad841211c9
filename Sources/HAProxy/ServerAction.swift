/// What an operator can do to one server.
public enum ServerAction: Sendable, Hashable, CustomStringConvertible {
    case ready
    case drain
    case maint
    case weight(Int)

    public init?(_ word: String, weight: Int? = nil) {
        switch word {
        case "ready": self = .ready
        case "drain": self = .drain
        case "maint": self = .maint
        case "weight": guard let weight else { return nil }; self = .weight(weight)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .ready: return "ready"
        case .drain: return "drain"
        case .maint: return "maint"
        case .weight(let w): return "weight \(w)"
        }
    }
}

/// How an action went, said in words.
public struct ActionOutcome: Sendable, Hashable, CustomStringConvertible {
    public var succeeded: Bool
    public var message: String

    public static func done(_ message: String) -> ActionOutcome { ActionOutcome(succeeded: true, message: message) }
    public static func refused(_ message: String) -> ActionOutcome { ActionOutcome(succeeded: false, message: message) }

    public var description: String { message }
}
