import BalancerContract
import HAProxy
import Logging
import Serf

/// Keeps HAProxy in step with the cluster. The member list is the one source
/// of truth: every render starts from it, so a missed or reordered event can
/// never leave a ghost server behind. Renders are serialised, batched, checked
/// with `haproxy -c`, swapped in atomically and reloaded through the master CLI.
public actor BalancerDaemon {
    public let settings: BalancerSettings
    let logger: Logger
    let installer: ConfigInstaller
    var members: [Member] = [] {
        // Worked out once per member list, not at every look (the list is
        // read every 100 ms; reconcile and desired both need it).
        didSet { selected = settings.selection.servers(from: members) }
    }
    /// The alive backends' servers, and the backends refused for their names.
    private(set) var selected: (servers: [BackendServer], refused: [String]) = ([], [])
    /// The servers of the file we installed last (nil before the first).
    var installed: [BackendServer]?
    var pending: [BackendServer]?
    var batch: ChangeBatch
    var draining: [HAProxyName: BackendServer] = [:]
    var drainTasks: [HAProxyName: Task<Void, Never>] = [:]
    /// Drained and waiting for the next apply to remove them; never drained twice.
    var drained: Set<HAProxyName> = []
    /// Failed servers put in maint at once, waiting for the next apply.
    var parked: Set<HAProxyName> = []
    /// Backends left out for their names, each warned about once.
    var refusedNames: Set<String> = []
    var applyChain: Task<ApplyResult, Never>?
    var removals: RemovalGuard
    /// What is wrong with HAProxy now, as the watch last saw it.
    public internal(set) var haproxyDown: String?
    var haproxyErrors = RepeatedErrors()
    var applyErrors = RepeatedErrors()
    /// Signatures already acted on.
    var replays = ReplayGuard()
    /// After a failed apply, no retry of the same render before this.
    var retryAfter: (servers: [BackendServer], at: ContinuousClock.Instant, pause: Duration)?
    public private(set) var appliedCount = 0
    /// Wakes the loop in `tick` when a change makes something due sooner.
    let alarm = Alarm()
    public private(set) var lastResult: ApplyResult?
    /// Where applies are announced (BalancerAnnouncement): the source being followed.
    var announcer: (any MembershipSource)?
    /// Reloads made since the start, for the announcements.
    public internal(set) var reloads = 0
    /// Applies made through the runtime API alone, without a reload.
    public internal(set) var runtimeUpdates = 0
    /// The template as the last render read it: an edit is applied at the
    /// next poll, without waiting for a membership change or a reload query.
    /// (nil before the first render; `.some(nil)` when it could not be looked at.)
    var templateStamp: FileStamp??
    /// The failure announced last: a render retried with back-off is told once.
    var announcedFailure: String?

    /// What `--metrics` serves; counters move whether or not it is served.
    public let metrics = BalancerMetrics()
    /// Whether the daemon follows its agent now (for the health endpoint).
    public internal(set) var following = false

    public init(settings: BalancerSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        installer = ConfigInstaller(configPath: settings.configPath, haproxy: settings.haproxy)
        batch = ChangeBatch(urgent: .init(quiet: settings.quietPeriod, maxWait: settings.maxWait),
                            removal: .init(quiet: settings.removalQuietPeriod, maxWait: settings.removalMaxWait),
                            calm: settings.calmPeriod)
        removals = RemovalGuard(absenceGrace: settings.absenceGrace, maxRemovedShare: settings.maxRemovedShare,
                                holdRelease: settings.holdRelease)
    }

    /// The servers the configuration should have now: alive backends, plus
    /// leaving ones still draining, plus installed ones whose member the
    /// agent does not list while its list cannot yet prove them gone.
    var desired: [BackendServer] {
        var byName = Dictionary(alive.map { ($0.name, $0) }) { a, _ in a }
        for (name, s) in draining where byName[name] == nil { byName[name] = s }
        if !removals.trustsAbsence(at: .now) {
            let listed = Set(members.map(\.name))
            for s in installed ?? [] where byName[s.name] == nil && !listed.contains(s.name.text) { byName[s.name] = s }
        }
        return byName.values.sorted()
    }

    // MARK: Running

    /// Follows the cluster until cancelled, reconnecting to the agent when the
    /// connection drops (the agent restarts under its supervisor too).
    public func run(connect: @escaping @Sendable () async throws -> any MembershipSource) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.watchHAProxy() }
            await adoptRunningServers()
            var said = false
            while !Task.isCancelled {
                do {
                    let source = try await connect()
                    logger.info("connected; following the membership")
                    said = false
                    try await source.closing { try await follow(source) }
                } catch is CancellationError {
                    break
                } catch {
                    if !said { logger.warning("cluster source: \(error); retrying every second, HAProxy keeps its configuration") }
                    said = true
                }
                try? await Task.sleep(for: .seconds(1))
            }
            group.cancelAll()
        }
    }

    /// Returns (throws) when the source is lost; the caller closes it.
    func follow(_ source: any MembershipSource) async throws {
        removals.connected()
        announcer = source
        following = true
        metrics.agentConnected.set(Int64(1))
        defer {
            announcer = nil
            following = false
            metrics.agentConnected.set(Int64(0))
        }
        try await refresh(from: source)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Queries are answered side by side, each a child of this
                // connection: a lost agent ends the answers it could not send.
                try await withThrowingDiscardingTaskGroup { answers in
                    for try await event in try await source.events() {
                        if case .query(let query) = event, BalancerQuery(rawValue: query.name) != nil {
                            answers.addTask { await self.answer(query, source: source) }
                        } else {
                            await self.handle(event)
                        }
                    }
                    throw BalancerError.haproxy("the agent's event stream ended")
                }
            }
            group.addTask {
                for try await _ in try await source.membershipChanges() { try await self.refresh(from: source) }
                throw BalancerError.haproxy("the agent's change signal ended")
            }
            group.addTask { try await self.tick(source) }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Sleeps until the next thing is due (the next read of the member list,
    /// the batch, a retry) and wakes early when an event changes what is due.
    func tick(_ source: any MembershipSource) async throws {
        var nextPoll = ContinuousClock.now + settings.pollInterval
        while true {
            try await alarm.sleep(until: min(nextPoll, nextApplyAt ?? nextPoll))
            let now = ContinuousClock.now
            if now >= nextPoll {
                nextPoll = now + settings.pollInterval
                try await refresh(from: source)
                // Also once at the start: the template may have changed
                // while no daemon ran.
                if templateStamp == nil || FileStamp(path: settings.templatePath) != templateStamp! {
                    if await apply(force: false, reason: "the template changed").kind == .reloaded { batch.reloaded(at: .now) }
                }
            }
            if let due = nextApplyAt, now >= due {
                batch.clear()
                pending = nil
                if await apply(force: false, reason: "membership changed").kind == .reloaded { batch.reloaded(at: .now) }
            }
        }
    }

    /// When the pending batch may be applied: when it is due, and not before
    /// a failed render's retry time if it is that same render.
    var nextApplyAt: ContinuousClock.Instant? {
        guard let due = batch.due else { return nil }
        if let retry = retryAfter, retry.servers == desired { return max(due, retry.at) }
        return due
    }

    func refresh(from source: any MembershipSource) async throws {
        members = try await source.members()
        removals.observe(aliveMembers: members.count { $0.status == .alive }, at: .now)
        reconcile()
    }

    /// Member events are only said: the list is read on the change signal,
    /// which comes sooner (and, from our own member, from these same events).
    func handle(_ event: SerfEvent) {
        if case .member(let kind, let list) = event {
            logger.info("\(kind.rawValue): \(list.map(\.name).joined(separator: ", "))")
        }
    }

    /// The alive backends' servers.
    var alive: [BackendServer] { selected.servers }

    /// Says once, per member, why it is no server; again if it comes back.
    func warnAboutRefusedNames() {
        let refused = Set(selected.refused)
        for reason in refused.subtracting(refusedNames) { logger.warning("backend left out: \(reason)") }
        refusedNames = refused
    }

    /// Notes a change when the wanted servers differ from the installed ones,
    /// and starts draining installed servers whose member is leaving.
    func reconcile() {
        warnAboutRefusedNames()
        let alive = Set(self.alive.map(\.name))
        let leaving = settings.selection.leaving(from: members)
        drained.subtract(alive)
        for s in installed ?? [] where leaving.contains(s.name) && !alive.contains(s.name)
            && draining[s.name] == nil && !drained.contains(s.name) {
            startDrain(s)
        }
        for name in draining.keys where alive.contains(name) {
            drainTasks.removeValue(forKey: name)?.cancel()
            draining.removeValue(forKey: name)
            logger.info("\(name) is back; no longer draining")
            if let api = settings.runtimeAPI {
                let target = ServerTarget(backend: settings.backend, server: name)
                Task { _ = try? await RuntimeAPI(address: api).apply(.ready, to: target) }
            }
        }
        let want = desired
        unpark(Set(want.map(\.name)))
        if want == installed {
            pending = nil
            batch.clear()
        } else if want != pending {
            pending = want
            let removalOnly = Set(want).isSubset(of: installed ?? [])
            let gone = Set((installed ?? []).map(\.name)).subtracting(want.map(\.name))
            if removalOnly && removals.allowsParking(gone, of: installed ?? []) { park(gone) }
            batch.note(at: .now, urgent: !removalOnly)
            alarm.ring()
        }
    }

    // MARK: Applying

    /// Renders from the current members, installs if HAProxy accepts it, and
    /// reloads. Calls are serialised; `force` reloads even an unchanged file.
    public func apply(force: Bool, reason: String) async -> ApplyResult {
        let previous = applyChain
        let task = Task { () -> ApplyResult in
            _ = await previous?.value
            let started = ContinuousClock.now
            let result = await self.applyNow(force: force, reason: reason)
            self.metrics.recorded(result, took: .now - started)
            return result
        }
        applyChain = task
        return await task.value
    }

    func applyNow(force: Bool, reason: String) async -> ApplyResult {
        let servers = desired
        let before = installed ?? []
        if case .hold(let removing, let total, let firstTime) = removals.check(servers, replacing: installed ?? [],
                                                                              force: force, at: .now) {
            let message = "holding back a render that removes \(removing) of \(total) server(s); "
                + "it is installed if the view holds for \(settings.holdRelease.formatted()) or on a forced reload (\(BalancerQuery.reload))"
            if firstTime { logger.error("\(reason): \(message)") }
            let result = ApplyResult(kind: .held, servers: total, message: message)
            lastResult = result
            if firstTime { announce(result, from: before, to: servers) }
            return result
        }
        let result: ApplyResult
        do {
            result = try await install(servers, force: force)
            installed = servers
            drained.formIntersection(servers.map(\.name))
            parked.formIntersection(servers.map(\.name))
        } catch {
            result = ApplyResult(kind: .failed, servers: servers.count, message: "\(error)")
        }
        appliedCount += 1
        if result.kind == .reloaded { reloads += 1 }
        if result.kind == .updated { runtimeUpdates += 1 }
        lastResult = result
        announce(result, from: before, to: servers)
        if result.succeeded {
            logger.info("\(reason): \(result)")
            applyErrors.clear()
            retryAfter = nil
        } else {
            // The same render fails the same way until something changes:
            // retry it with back-off, and say so once, then with a count.
            applyErrors.error("\(result)", logger: logger)
            let pause = retryAfter.map { min($0.pause * 2, .seconds(30)) } ?? .seconds(1)
            retryAfter = (servers, .now + pause, pause)
        }
        reconcile()
        return result
    }

    /// Installs the render, then makes the running HAProxy match it: through
    /// the runtime API when only the servers changed, else by a reload.
    func install(_ servers: [BackendServer], force: Bool) async throws(BalancerError) -> ApplyResult {
        templateStamp = .some(FileStamp(path: settings.templatePath))
        let template = try ConfigTemplate(path: settings.templatePath)
        let text = template.render(servers: servers, values: settings.templateValues)
        let previous = installer.current()
        if !force && text == previous {
            return ApplyResult(kind: .unchanged, servers: servers.count, message: "the installed file already says this")
        }
        try await installer.install(text)
        var why = force ? "asked to" : "the configuration changed beyond its servers"
        if !force, let previous, let api = settings.runtimeAPI {
            let was = RenderedBackend(text: previous, backend: settings.backend)
            let now = RenderedBackend(text: text, backend: settings.backend)
            if was.skeleton == now.skeleton {
                do {
                    let (added, deleted) = try await changeLive(from: was, to: now, api: api)
                    let change = added.map { "+\($0)" } + deleted.map { "-\($0)" }
                    var result = ApplyResult(kind: .updated, servers: servers.count,
                                             message: "changed at run time, no reload" + (change.isEmpty ? "" : ": " + change.joined(separator: " ")))
                    result.added = added.count
                    result.deleted = deleted.count
                    return result
                } catch {
                    why = "the running HAProxy did not take the change (\(error)), so it is reloaded instead"
                    logger.warning("\(why)")
                }
            }
        } else if previous == nil {
            why = "no configuration was installed before"
        }
        return try await reload(servers.count, why: why)
    }

    /// Adds and deletes servers in the running HAProxy so that it has those
    /// of `now`, starting from the servers it has (not from what we think it
    /// has). A server whose line changed (address, port, options) is
    /// replaced. Throws at the first step HAProxy refuses.
    func changeLive(from was: RenderedBackend, to now: RenderedBackend, api: HAProxyAddress) async throws
        -> (added: [String], deleted: [String]) {
        let runtime = RuntimeServers(api: RuntimeAPI(address: api), backend: settings.backend)
        let running = try await runtime.names()
        let wanted = Set(now.servers.keys)
        let changed = Set(wanted.intersection(running).filter { was.servers[$0] != now.servers[$0] })
        var removed: [String] = [], added: [String] = []
        for text in running.subtracting(wanted).union(changed).sorted() {
            guard let name = try? HAProxyName(text) else { continue }
            try await runtime.delete(name)
            removed.append(text)
        }
        for text in wanted.subtracting(running).union(changed).sorted() {
            guard let name = try? HAProxyName(text), let line = now.runtimeLine(for: name) else { continue }
            try await runtime.add(name, address: line.address, options: line.options, dynamicCookie: now.dynamicCookie)
            added.append(text)
        }
        return (added, removed)
    }

    func reload(_ servers: Int, why: String) async throws(BalancerError) -> ApplyResult {
        await saveServerState()
        guard let master = settings.masterCLI else {
            return ApplyResult(kind: .installed, servers: servers, message: "no master CLI given, so not reloaded")
        }
        let outcome: ActionOutcome
        do {
            outcome = try await MasterCLI(address: master).reload()
        } catch {
            return ApplyResult(kind: .installed, servers: servers,
                               message: "HAProxy's master CLI at \(master) does not answer (\(error)); the file applies when HAProxy starts")
        }
        guard outcome.succeeded else { throw .haproxy(outcome.message) }
        return ApplyResult(kind: .reloaded, servers: servers, message: "\(outcome.message) (\(why))")
    }

    /// Keeps the operator's drain and maint across the reload (the template's
    /// `server-state-file`).
    func saveServerState() async {
        guard let api = settings.runtimeAPI, let path = settings.stateFile else { return }
        guard let state = try? await RuntimeAPI(address: api).command("show servers state") else { return }
        try? state.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// For start-up, before HAProxy runs: render, check and install, no reload.
    public func installOnce(members: [Member]) async -> ApplyResult {
        self.members = members
        let servers = desired
        do {
            templateStamp = .some(FileStamp(path: settings.templatePath))
            let template = try ConfigTemplate(path: settings.templatePath)
            try await installer.install(template.render(servers: servers, values: settings.templateValues))
            installed = servers
            return ApplyResult(kind: .installed, servers: servers.count, message: "written to \(settings.configPath)")
        } catch {
            return ApplyResult(kind: .failed, servers: servers.count, message: "\(error)")
        }
    }
}
