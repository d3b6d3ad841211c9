import AsyncHTTPClient
import Foundation
import NIOCore

/// The stats page's admin form (`stats admin if …`), for when there is no
/// runtime API to use. HAProxy answers with a redirect whose `st=` says how
/// it went.
public struct StatsAdminForm: Sendable {
    public let endpoint: StatsEndpoint
    let scraper: StatsScraper

    public init(endpoint: StatsEndpoint, scraper: StatsScraper) {
        self.endpoint = endpoint
        self.scraper = scraper
    }

    public func apply(_ action: ServerAction, to target: ServerTarget) async throws -> ActionOutcome {
        let word: String
        switch action {
        case .ready, .drain, .maint: word = "\(action)"
        case .weight: return .refused("the stats page cannot change weights: use the runtime API (--runtime-api)")
        }
        var request = HTTPClientRequest(url: endpoint.pageURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        if let auth = endpoint.authorization { request.headers.add(name: "Authorization", value: auth) }
        let form = "s=\(Self.escape(target.server.text))&action=\(word)&b=\(Self.escape(target.backend.text))"
        request.body = .bytes(ByteBuffer(string: form))
        let response: HTTPClientResponse
        do {
            response = try await scraper.client.execute(request, timeout: .init(scraper.timeout))
        } catch {
            throw StatsScraper.describe(error, endpoint)
        }
        if response.status.code == 401 {
            return .refused("\(target): the stats page wants a user and password to change servers")
        }
        guard response.status.code == 303, let location = response.headers.first(name: "location") else {
            return .refused("\(target): the stats page answered HTTP \(response.status.code) instead of applying \(action) (is `stats admin` enabled?)")
        }
        return Self.outcome(location: location, action: action, target: target.description)
    }

    static func outcome(location: String, action: ServerAction, target: String) -> ActionOutcome {
        let code = location.components(separatedBy: ";st=").last.map { String($0.prefix { $0.isLetter }) } ?? ""
        switch code {
        case "DONE": return .done("\(target): \(action) (stats page)")
        case "PART": return .refused("\(target): \(action) was applied only in part")
        case "NONE": return .refused("\(target): nothing changed (already \(action)?)")
        case "ERRP": return .refused("\(target): HAProxy did not understand the request")
        case "EXCD": return .refused("\(target): the action is not allowed in this state")
        case "DENY": return .refused("\(target): the stats page is read-only: enable `stats admin if …` in haproxy.cfg")
        case "UNKN": return .refused("\(target): no such backend or server")
        default: return .refused("\(target): unexpected answer '\(location)'")
        }
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }
}
