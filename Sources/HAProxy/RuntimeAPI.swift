/// HAProxy's runtime API (the `stats socket`): server state and weight,
/// stats and version, one command per connection.
public struct RuntimeAPI: Sendable {
    public let address: HAProxyAddress
    public var timeout: Duration = .seconds(5)

    public init(address: HAProxyAddress) { self.address = address }

    public func command(_ line: String) async throws -> String {
        try await SocketCommand.send(line, to: address, timeout: timeout)
    }

    /// Applies `action` to `target`. HAProxy answers nothing on success and
    /// a sentence on failure. The target's names are checked, so the line is
    /// one command whatever the names came from.
    public func apply(_ action: ServerAction, to target: ServerTarget) async throws -> ActionOutcome {
        let line: String
        switch action {
        case .ready, .drain, .maint: line = "set server \(target) state \(action)"
        case .weight(let w): line = "set server \(target) weight \(w)"
        }
        let answer = try await command(line).trimmingCharacters(in: .whitespacesAndNewlines)
        if answer.isEmpty { return .done("\(target): \(action) (runtime API \(address))") }
        return .refused("\(target): HAProxy refused \(action): \(answer)")
    }

    public func stats() async throws -> StatsSnapshot {
        let text = try await command("show stat")
        do {
            return try StatsCSVParser.parse(text)
        } catch {
            throw HAProxyError.parse(error, url: address.description)
        }
    }

    /// `show info` as key → value (Version, Uptime_sec, Pid, …).
    public func info() async throws -> [String: String] {
        InfoParser.parse(try await command("show info"))
    }
}

enum InfoParser {
    static func parse(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            out[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return out
    }
}

import Foundation
