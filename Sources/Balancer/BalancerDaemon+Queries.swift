import HAProxy
import Serf

extension BalancerDaemon {
    /// `serftop-reload` re-renders and reloads now; `serftop-server` applies
    /// `drain|ready|maint NAME` through the local runtime API. The answer is
    /// one line; failures start with "error:".
    func answer(_ query: QueryEvent, source: any MembershipSource) async {
        var text: String
        if query.name == ClusterQueries.reload {
            text = await apply(force: true, reason: "serftop-reload query").description
        } else {
            text = await serverAction(String(decoding: query.payload, as: UTF8.self))
        }
        if let down = haproxyDown { text += " (warning: \(down))" }
        do {
            try await source.respond(to: query, payload: Array(text.prefix(1000).utf8))
        } catch {
            logger.warning("cannot answer \(query.name): \(error)")
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
