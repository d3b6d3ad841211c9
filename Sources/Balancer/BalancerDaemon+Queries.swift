import BalancerContract
import HAProxy
import Serf

extension BalancerDaemon {
    /// Answers a BalancerRequest with a BalancerReply: a reload re-renders
    /// and reloads now; a server request goes to the local runtime API.
    func answer(_ query: QueryEvent, source: any MembershipSource) async {
        var reply: BalancerReply
        switch BalancerRequest.receive(query, key: settings.actionKey, replays: &replays) {
        case .failure(let refusal):
            if case .notAuthorised = refusal {
                logger.warning("\(query.name) query\(query.from.map { " from \($0)" } ?? ""): \(refusal)")
            }
            reply = .failure("\(refusal)")
        case .success(.reload):
            reply = await apply(force: true, reason: "\(BalancerQuery.reload) query").reply
        case .success(.server(let request)):
            reply = await serverAction(request)
        }
        reply = reply.warning(haproxyDown)
        do {
            try await source.respond(to: query, payload: reply.encoded)
        } catch {
            logger.warning("cannot answer \(query.name): \(error)")
        }
    }

    func serverAction(_ request: ServerQuery) async -> BalancerReply {
        guard let api = settings.runtimeAPI else {
            return .failure("this balancer was started without --runtime-api")
        }
        let target = ServerTarget(backend: settings.backend, server: request.server)
        do {
            let outcome = try await RuntimeAPI(address: api).apply(request.action, to: target)
            logger.info("\(BalancerQuery.server) query: \(outcome.message)")
            return outcome.succeeded ? .success(outcome.message) : .failure(outcome.message)
        } catch {
            return .failure("\(error)")
        }
    }
}
