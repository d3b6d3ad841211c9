import HAProxy

extension BalancerDaemon {
    /// A member leaving gracefully keeps its server, in drain, until its
    /// sessions end or the drain timeout passes; only then is it removed.
    func startDrain(_ server: BackendServer) {
        guard let api = settings.runtimeAPI else { return }
        draining[server.name] = server
        let backend = settings.backend, timeout = settings.drainTimeout, logger = self.logger
        drainTasks[server.name] = Task {
            let runtime = RuntimeAPI(address: api)
            let outcome = try? await runtime.apply(.drain, backend: backend, server: server.name)
            logger.info("\(server.name) is leaving: \(outcome?.message ?? "drain not confirmed")")
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline && !Task.isCancelled {
                let sessions = try? await runtime.stats().servers
                    .first { $0.proxy == backend && $0.service == server.name }?.currentSessions
                if (sessions ?? 0) == 0 { break }
                try? await Task.sleep(for: .milliseconds(200))
            }
            guard !Task.isCancelled else { return }
            await self.finishDrain(server.name)
        }
    }

    func finishDrain(_ name: String) {
        drainTasks.removeValue(forKey: name)
        guard draining.removeValue(forKey: name) != nil else { return }
        logger.info("\(name) drained; removing it")
        reconcile()
    }
}
