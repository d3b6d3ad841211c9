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

    public func apply(_ action: ServerAction, backend: String, server: String) async -> ActionOutcome {
        do {
            switch path {
            case .runtimeAPI(let api): return try await api.apply(action, backend: backend, server: server)
            case .statsPage(let form): return try await form.apply(action, backend: backend, server: server)
            }
        } catch {
            return .refused("\(backend)/\(server): \(error)")
        }
    }
}
