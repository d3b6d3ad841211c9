import HAProxy
import Serf

extension BalancerDaemon {
    /// `serftop-reload` re-renders and reloads now; `serftop-server` applies
    /// `drain|ready|maint NAME` through the local runtime API. The answer is
    /// one line; failures start with "error:".
    func answer(_ query: QueryEvent, source: any MembershipSource) async {
        var text: String
        switch authorise(query) {
        case .failure(let refusal):
            logger.warning("\(query.name) query\(query.from.map { " from \($0)" } ?? ""): \(refusal)")
            text = "error: \(refusal)"
        case .success(let payload):
            text = query.name == ClusterQueries.reload
                ? await apply(force: true, reason: "serftop-reload query").description
                : await serverAction(String(decoding: payload, as: UTF8.self))
        }
        if let down = haproxyDown { text += " (warning: \(down))" }
        do {
            try await source.respond(to: query, payload: Array(text.prefix(1000).utf8))
        } catch {
            logger.warning("cannot answer \(query.name): \(error)")
        }
    }

    /// The payload of a query that may change HAProxy, if its signature
    /// holds and it was not carried out before.
    func authorise(_ query: QueryEvent) -> Result<[UInt8], ActionRefusal> {
        guard let key = settings.actionKey else { return .failure(.noKey) }
        switch key.verify(query: query.name, signed: query.payload, queryLTime: query.ltime) {
        case .failure(let refusal):
            return .failure(refusal)
        case .success(let action):
            guard replays.accept(action) else { return .failure(.replayed) }
            return .success(action.payload)
        }
    }

    func serverAction(_ payload: String) async -> String {
        do {
            let request = try ServerQuery(parsing: payload)
            guard let api = settings.runtimeAPI else {
                return "error: this balancer was started without --runtime-api"
            }
            let target = ServerTarget(backend: settings.backend, server: request.server)
            let outcome = try await RuntimeAPI(address: api).apply(request.action, to: target)
            logger.info("serftop-server query: \(outcome.message)")
            return outcome.succeeded ? outcome.message : "error: \(outcome.message)"
        } catch {
            return "error: \(error)"
        }
    }
}
