/// One front for server actions: the runtime API when we have its address,
/// else the stats page's admin form. The dashboard and the CLI share it.
public struct ServerControl: Sendable {
    public enum Path: Sendable {
        case runtimeAPI(RuntimeAPI)
        case statsPage(StatsAdminForm)
    }

    public let path: Path

    public init(runtimeAPI: HAProxyAddress) { path = .runtimeAPI(RuntimeAPI(address: runtimeAPI)) }
    public init(statsPage: StatsEndpoint, scraper: StatsScraper) {
        path = .statsPage(StatsAdminForm(endpoint: statsPage, scraper: scraper))
    }

    public func apply(_ action: ServerAction, to target: ServerTarget) async -> ActionOutcome {
        do {
            switch path {
            case .runtimeAPI(let api): return try await api.apply(action, to: target)
            case .statsPage(let form): return try await form.apply(action, to: target)
            }
        } catch {
            return .refused("\(target): \(error)")
        }
    }

    /// Names as typed or received: refused, with the reason, unless HAProxy
    /// would take both; nothing is sent then.
    public func apply(_ action: ServerAction, backend: String, server: String) async -> ActionOutcome {
        do {
            return await apply(action, to: try ServerTarget(backend: backend, server: server))
        } catch {
            return .refused("\(error)")
        }
    }
}
