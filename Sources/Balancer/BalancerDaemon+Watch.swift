import HAProxy

extension BalancerDaemon {
    /// Asks the master CLI how HAProxy is every `watchInterval`, so that a
    /// dead master or worker is reported when it happens, not at the next
    /// reload. The config is still kept current meanwhile: HAProxy starts
    /// from it when its supervisor brings it back.
    func watchHAProxy() async {
        guard let address = settings.masterCLI else { return }
        var cli = MasterCLI(address: address)
        cli.timeout = .seconds(2)
        var lastMaster: Int?
        // A reload re-executes the master and closes its CLI for a moment:
        // a problem counts once a second look, shortly after, confirms it.
        var doubt: String?
        while !Task.isCancelled {
            var problem: String?
            do {
                let state = try await cli.processes()
                if state.workers.isEmpty {
                    problem = "HAProxy's master (pid \(state.masterPID)) has no worker serving"
                } else {
                    if haproxyDown != nil {
                        logger.info("HAProxy answers again: master pid \(state.masterPID), worker \(state.workers.map(String.init).joined(separator: ", "))")
                        haproxyDown = nil
                        haproxyErrors.clear()
                    } else if let lastMaster, lastMaster != state.masterPID {
                        logger.warning("HAProxy's master was restarted: pid \(lastMaster) → \(state.masterPID)")
                    }
                    lastMaster = state.masterPID
                }
            } catch {
                problem = "HAProxy's master CLI at \(address) does not answer (\(error)): is HAProxy running?"
            }
            if let problem, doubt != nil {
                haproxyProblem(problem)
            }
            doubt = problem
            try? await Task.sleep(for: problem != nil && haproxyDown == nil ? .milliseconds(500) : settings.watchInterval)
        }
    }

    func haproxyProblem(_ text: String) {
        haproxyDown = text
        haproxyErrors.error(text, logger: logger)
    }
}
