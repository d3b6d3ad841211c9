import Foundation

/// A terminal program under a private tmux server, driven like a person would.
public final class TmuxSession: @unchecked Sendable {
    public let server = "serftop-test-\(UUID().uuidString.prefix(8))"
    public let name = "t"

    /// Starts `command` (run by sh) in a `width`×`height` terminal.
    public init(_ command: String, width: Int = 120, height: Int = 40, environment: [String: String] = [:]) async throws {
        let env = environment.map { "\($0.key)=\(shellQuote($0.value))" }.joined(separator: " ")
        let result = try await Tools.run("tmux", ["-L", server, "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
                                                  "env \(env) \(command)"])
        guard result.status == 0 else { throw TmuxFailed(output: result.output) }
    }

    public func capture() async -> String {
        (try? await Tools.run("tmux", ["-L", server, "capture-pane", "-p", "-t", name]).output) ?? ""
    }

    /// Keys as tmux names them ("j", "Enter", "Escape", "C-c").
    public func send(_ keys: String...) async {
        _ = try? await Tools.run("tmux", ["-L", server, "send-keys", "-t", name] + keys)
    }

    public func resize(width: Int, height: Int) async {
        _ = try? await Tools.run("tmux", ["-L", server, "resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Waits until the screen shows what `condition` looks for.
    @discardableResult
    public func waitFor(_ what: String, timeout: Double = 15, _ condition: (String) -> Bool) async throws -> String {
        try await eventuallyValue("the screen to show \(what)", timeout: timeout, every: 0.2) { () async -> String? in
            let screen = await capture()
            return condition(screen) ? screen : nil
        }
    }

    /// The line of the screen that starts with `prefix` (after a space).
    public static func line(_ screen: String, startingWith prefix: String) -> String? {
        screen.split(separator: "\n").map(String.init).first { $0.hasPrefix(" \(prefix) ") }
    }

    public func kill() {
        _ = try? Tools.runBlocking("tmux", ["-L", server, "kill-server"])
    }

    deinit { kill() }

    public struct TmuxFailed: Error, CustomStringConvertible {
        public let output: String
        public var description: String { "tmux could not start: \(output)" }
    }
}

public func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
