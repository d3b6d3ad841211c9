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
            let outcome = try? await runtime.apply(.drain, to: ServerTarget(backend: backend, server: server.name))
            logger.info("\(server.name) is leaving: \(outcome?.message ?? "drain not confirmed")")
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline && !Task.isCancelled {
                let sessions = try? await runtime.stats().servers
                    .first { $0.proxy == backend.text && $0.service == server.name.text }?.currentSessions
                if (sessions ?? 0) == 0 { break }
                try? await Task.sleep(for: .milliseconds(200))
            }
            guard !Task.isCancelled else { return }
            await self.finishDrain(server.name)
        }
    }

    func finishDrain(_ name: HAProxyName) {
        drainTasks.removeValue(forKey: name)
        guard draining.removeValue(forKey: name) != nil else { return }
        drained.insert(name)
        logger.info("\(name) drained; removing it")
        reconcile()
    }

    /// Servers about to be removed (failed, or drained) leave rotation now
    /// through the runtime API; the file follows with the batch.
    func park(_ names: Set<HAProxyName>) {
        guard let api = settings.runtimeAPI else { return }
        let backend = settings.backend
        for name in names.subtracting(parked).subtracting(drained) {
            parked.insert(name)
            Task { _ = try? await RuntimeAPI(address: api).apply(.maint, to: ServerTarget(backend: backend, server: name)) }
        }
    }

    /// A parked server whose member came back before the reload serves again.
    func unpark(_ wanted: Set<HAProxyName>) {
        let back = parked.intersection(wanted)
        guard !back.isEmpty, let api = settings.runtimeAPI else { return }
        parked.subtract(back)
        let backend = settings.backend
        for name in back {
            logger.info("\(name) is back before its removal; ready again")
            Task { _ = try? await RuntimeAPI(address: api).apply(.ready, to: ServerTarget(backend: backend, server: name)) }
        }
    }
}
