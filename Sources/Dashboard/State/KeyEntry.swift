import TerminalUI

/// One line of the key table: the keys, what they do, and how the footer and
/// the help overlay show them.
public struct KeyEntry: Sendable {
    public enum Footer: Sendable, Hashable {
        case none
        /// Shown from the left, while there is room.
        case hint(String)
        /// Always shown, at the right end.
        case pinned(String)
    }

    /// Every key the entry takes; the footer names the first. `.click` at
    /// (0, 0) stands for a click anywhere.
    public let presses: [(key: Key, command: KeyCommand)]
    /// The keys as the help overlay names them (arrows differ between
    /// terminals).
    public let names: @Sendable (Glyphs) -> String
    public let footer: Footer
    public let help: String
    /// What the help says instead when new nodes are started by serftop (the
    /// --provision command, the demo) rather than joined.
    public let provisioningHelp: String?
    /// Whether --read-only leaves it: what it refuses is also left out of the
    /// footer and the help.
    public let readOnly: Bool

    public init(_ presses: [(key: Key, command: KeyCommand)], names: @escaping @Sendable (Glyphs) -> String,
                footer: Footer = .none, help: String, provisioningHelp: String? = nil, readOnly: Bool = true) {
        self.presses = presses
        self.names = names
        self.footer = footer
        self.help = help
        self.provisioningHelp = provisioningHelp
        self.readOnly = readOnly
    }

    public init(_ presses: [(key: Key, command: KeyCommand)], names: String, footer: Footer = .none, help: String,
                provisioningHelp: String? = nil, readOnly: Bool = true) {
        self.init(presses, names: { _ in names }, footer: footer, help: help, provisioningHelp: provisioningHelp,
                  readOnly: readOnly)
    }

    /// The key the footer shows.
    public var footerKey: String {
        guard case .char(let c) = presses.first?.key else { return "" }
        return String(c)
    }

    public func help(provisioning: Bool) -> String { provisioning ? provisioningHelp ?? help : help }

    /// What `key` asks for here, if the entry takes it.
    public func command(for key: Key) -> KeyCommand? {
        let pattern: Key = if case .click = key { .click(x: 0, y: 0) } else { key }
        return presses.first { $0.key == pattern }?.command
    }
}
