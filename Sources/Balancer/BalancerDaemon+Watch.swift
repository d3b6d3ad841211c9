import HAProxy
import Serf

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
                    metrics.haproxyUp.set(Int64(1))
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

    /// What the running HAProxy serves, as the servers a restarted daemon
    /// must not drop on the word of an agent that may itself be new.
    func adoptRunningServers() async {
        guard installed == nil, let api = settings.runtimeAPI,
              let stats = try? await RuntimeAPI(address: api).stats() else { return }
        let running = stats.servers.filter { $0.proxy == settings.backend.text }.compactMap { row -> BackendServer? in
            guard let name = try? HAProxyName(row.service), let address = row.address,
                  let (host, port) = splitHostPort(address, defaultPort: 0), let port16 = UInt16(exactly: port), port16 != 0
            else { return nil }
            return BackendServer(name: name, address: host, port: port16)
        }
        guard !running.isEmpty else { return }
        installed = running.sorted()
        logger.info("HAProxy serves \(running.count) server(s) already; they stay until the cluster says they are gone")
    }

    func haproxyProblem(_ text: String) {
        haproxyDown = text
        metrics.haproxyUp.set(Int64(0))
        haproxyErrors.error(text, logger: logger)
    }
}
