import BalancerContract
import Foundation
import HAProxy
import Serf
import TerminalUI

/// The dashboard's imperative shell: one loop that takes keys, gossip events,
/// scrape results and action reports in order, updates the model and the
/// screen state, and redraws.
public actor DashboardRuntime {
    enum Message: Sendable {
        case key(Key)
        case serf(SerfEvent)
        case members([Member])
        case tick
        case scraped([StatsEndpoint: Result<StatsSnapshot, HAProxyError>])
        case version(StatsEndpoint, String)
        case report(EventLog.Kind, String)
        case actionFinished(ClusterAction, succeeded: Bool)
        /// Draws what the messages since the last frame changed.
        case redraw
        case quit
    }

    public struct Settings: Sendable {
        public var refresh: Duration = .seconds(1)
        public var routing = ActionRouting()
        /// Starts a node by name, in-process (routing.localProvisioning).
        public var provisioner: (@Sendable (String) async -> ActionOutcome)?
        public var statsCredentials = StatsCredentials()
        public var actionKey: ActionKey?
        /// How balancers and servers are told apart (`--backend-role`).
        public var roles = ClusterRoles()
        /// Lines from outside the cluster for the event pane (the demo's
        /// children that died).
        public var notices: AsyncStream<String>?
        public var themeName = "default"
        public var noColor = false
        /// Returns when the process is told to stop (SIGINT, SIGTERM,
        /// SIGHUP); the program owns the signals, not the dashboard. Nil:
        /// only `q`, Ctrl-C and the end of input stop it.
        public var stopSignal: (@Sendable () async -> Void)?
        /// Where `x` saves the screen; nil: the current directory.
        public var snapshotDirectory: String?
        /// Called once the dashboard is quitting, before it waits for the
        /// work it started to end (the program bounds that wait).
        public var onQuit: (@Sendable () -> Void)?

        public init() {}
    }

    let screen: any Screen
    let source: (any MembershipSource)?
    let stats: any BalancerStats
    let executor: ActionExecutor
    let settings: Settings
    let themes: ThemeLoader
    let view: DashboardView
    var model = ClusterModel()
    var state: DashboardState
    var theme: Theme
    var themeNames: [String]
    var scraping = false
    var tickStartedScrape = false
    var ticks = 0
    var versionsAsked: Set<StatsEndpoint> = []
    /// What `p` froze; nil while the view follows the data.
    var pause: PausedView?
    /// What the screen shows now, for `x`.
    var lastFrame: CellGrid?
    let messages: AsyncStream<Message>
    let post: AsyncStream<Message>.Continuation

    public init(screen: any Screen, source: (any MembershipSource)?, sourceDescription: String, balancers: [StatsEndpoint],
                scraper: StatsScraper, settings: Settings, readOnly: Bool, themes: ThemeLoader, glyphs: Glyphs) {
        let executor = ActionExecutor(source: source, scraper: scraper, provisioner: settings.provisioner,
                                      actionKey: settings.actionKey, roles: settings.roles)
        self.init(screen: screen, source: source, sourceDescription: sourceDescription, balancers: balancers,
                  stats: scraper, executor: executor, settings: settings, readOnly: readOnly, themes: themes, glyphs: glyphs)
    }

    /// The stats pages and the executor given apart, so that a test can put
    /// its own stats behind the balancers.
    init(screen: any Screen, source: (any MembershipSource)?, sourceDescription: String, balancers: [StatsEndpoint],
         stats: any BalancerStats, executor: ActionExecutor, settings: Settings, readOnly: Bool, themes: ThemeLoader,
         glyphs: Glyphs) {
        self.screen = screen
        self.source = source
        self.stats = stats
        self.executor = executor
        self.settings = settings
        self.themes = themes
        view = DashboardView(glyphs: glyphs, provisioning: settings.routing.canProvision)
        state = DashboardState(readOnly: readOnly)
        model.sourceDescription = sourceDescription
        model.roles = settings.roles
        model.historyHasDetails = source?.reportsStatusChanges ?? false
        model.balancers = balancers.map { BalancerState(endpoint: $0) }
        themeNames = themes.available()
        let (t, problem) = themes.load(settings.themeName)
        theme = settings.noColor ? .monochrome : t
        (messages, post) = AsyncStream.makeStream(of: Message.self)
        if let problem { model.log.add(.failure, "\(problem)", at: Date()) }
        if !sourceDescription.isEmpty { model.log.add(.info, "reading the cluster: \(sourceDescription)", at: Date()) }
    }

    /// Runs until the user quits (or the input ends); the caller leaves the cluster.
    /// Everything it starts (readers, the refresh, scrapes, member reads,
    /// actions) is a child of one task group: quitting cancels them all and
    /// returns once they are gone, so none outlives the screen it reports to.
    public func run() async {
        let post = self.post
        await withDiscardingTaskGroup { group in
            let input = screen.input
            group.addTask { for await key in input { post.yield(.key(key)) }; post.yield(.quit) }
            let refresh = settings.refresh
            group.addTask {
                while !Task.isCancelled {
                    post.yield(.tick)
                    try? await Task.sleep(for: refresh)
                }
            }
            if let source {
                group.addTask {
                    do {
                        // Subscribed first: nothing falls between the list and
                        // the events. A first list that fails is said, and the
                        // events and the refreshes go on.
                        let events = try await source.events()
                        do {
                            post.yield(.members(try await source.members()))
                        } catch {
                            if !Task.isCancelled { post.yield(.report(.failure, "gossip: \(error)")) }
                        }
                        for try await event in events { post.yield(.serf(event)) }
                        if !Task.isCancelled { post.yield(.report(.failure, "the gossip source closed")) }
                    } catch {
                        if !Task.isCancelled { post.yield(.report(.failure, "gossip: \(error)")) }
                    }
                }
            } else {
                model.log.add(.info, "no gossip source: showing HAProxy only", at: Date())
            }
            if let stopSignal = settings.stopSignal {
                group.addTask { await stopSignal(); post.yield(.quit) }
            }
            if let notices = settings.notices {
                group.addTask { for await line in notices { post.yield(.report(.failure, line)) } }
            }
            render()
            // Keys and scrapes draw at once (a scrape is its refresh's frame);
            // everything else (gossip, reports, a tick with nothing to scrape)
            // marks the screen stale and is drawn once, shortly after, so that a
            // burst of messages costs one frame, not one each.
            var stale = false, redrawPending = false
            for await message in messages {
                if case .redraw = message {
                    redrawPending = false
                    if stale { render(); stale = false }
                    continue
                }
                if handle(message) { break }
                switch message {
                case .key, .scraped:
                    render()
                    stale = false
                case .tick where tickStartedScrape:
                    break
                default:
                    stale = true
                    guard !redrawPending else { break }
                    redrawPending = true
                    started.append { try? await Task.sleep(for: .milliseconds(40)); post.yield(.redraw) }
                }
                for work in started { group.addTask(operation: work) }
                started.removeAll()
            }
            started.removeAll()
            settings.onQuit?()
            group.cancelAll()
        }
        post.finish()
    }

    /// Work the last message asked for (a scrape, a member read, an
    /// action); `run` makes each a child of its group.
    var started: [@Sendable () async -> Void] = []

    /// Returns true to quit.
    func handle(_ message: Message) -> Bool {
        let now = Date()
        switch message {
        case .quit:
            return true
        case .redraw:
            return false
        case .key(let key):
            if case .resize = key { state.keepSelectionVisible(state.visible(shown.rows()), layout) ; return false }
            let context = DashboardState.Context(rows: shown.rows(), layout: layout,
                                                 canProvision: settings.routing.canProvision,
                                                 nextNodeName: NodeNaming.next(after: model.members.values.filter { model.roles.isBackend($0) }.map(\.name)),
                                                 balancers: model.balancers.filter { $0.snapshot != nil }.map(\.label).sorted())
            if apply(state.handle(key, context: context)) { return true }
            followPause()
        case .serf(let event):
            model.apply(event, at: now)
            model.discoverBalancers(credentials: settings.statsCredentials, at: now)
            // A notice is our own side changing (the local agent lost and
            // back, our socket opened again): what was missed meanwhile
            // comes with the whole list.
            if case .notice = event { refreshMembers(now: true) }
        case .members(let list):
            model.setMembers(list, at: now)
            model.discoverBalancers(credentials: settings.statsCredentials, at: now)
        case .tick:
            ticks += 1
            tickStartedScrape = scrape()
            refreshMembers()
        case .scraped(let results):
            scraping = false
            for (endpoint, result) in results { model.recordScrape(result, for: endpoint, at: now) }
            model.sampleHistory()
            _ = apply(state.scraped(model.rows()))
            askVersions()
        case .version(let endpoint, let version):
            if let i = model.balancers.firstIndex(where: { $0.endpoint == endpoint }) { model.balancers[i].version = version }
        case .report(let kind, let text):
            note(kind, text)
        case .actionFinished(let action, let ok):
            _ = apply(state.finished(action, succeeded: ok))
        }
        return false
    }

    /// Carries out what the state asked for; returns true to quit.
    func apply(_ effects: [DashboardState.Effect]) -> Bool {
        for effect in effects {
            switch effect {
            case .quit: return true
            case .nextTheme: nextTheme()
            case .snapshot: saveSnapshot()
            case .perform(let action): perform(action)
            case .log(let kind, let text): note(kind, text)
            }
        }
        return false
    }

    var layout: DashboardLayout {
        let size = screen.size
        return DashboardLayout(width: size.width, height: size.height, showEvents: state.showEvents)
    }

    func render() {
        let size = screen.size
        let frame = view.render(shown, state, width: size.width, height: size.height, now: pause?.time ?? Date())
        lastFrame = frame
        screen.present(frame, theme: theme)
    }

    /// Returns whether a scrape started (none does while one is running).
    func scrape() -> Bool {
        guard !scraping, !model.balancers.isEmpty else { return false }
        scraping = true
        let endpoints = model.balancers.map(\.endpoint)
        let stats = self.stats, post = self.post
        started.append { post.yield(.scraped(await stats.scrapeAll(endpoints))) }
        return true
    }

    /// The whole member list every ten refreshes, so that an event missed
    /// does not stay wrong; the events keep it current in between.
    func refreshMembers(now: Bool = false) {
        guard let source, now || ticks % 10 == 0 else { return }
        let post = self.post
        started.append { if let list = try? await source.members() { post.yield(.members(list)) } }
    }

    func askVersions() {
        for b in model.balancers where b.isReachable && !versionsAsked.contains(b.endpoint) {
            versionsAsked.insert(b.endpoint)
            let stats = self.stats, post = self.post, endpoint = b.endpoint
            started.append { if let v = await stats.version(endpoint) { post.yield(.version(endpoint, v)) } }
        }
    }

    func nextTheme() {
        themeNames = themes.available()
        let i = ((themeNames.firstIndex(of: theme.name) ?? -1) + 1) % max(1, themeNames.count)
        let (t, problem) = themes.load(themeNames[i])
        theme = settings.noColor ? .monochrome : t
        note(problem == nil ? .info : .failure, problem.map { "\($0)" } ?? "theme \(t.name)")
        if settings.noColor { note(.info, "NO_COLOR is set: colours stay off") }
    }

    func perform(_ action: ClusterAction) {
        let routes = settings.routing.routes(for: action, in: model)
        note(.action, "\(action): " + routes.map(\.description).joined(separator: "; "))
        let executor = self.executor, post = self.post
        started.append {
            // What the operator confirmed is carried out even if they quit
            // meanwhile (the program bounds how long it waits): not
            // cancelled with the rest, and no provisioning cut half-way.
            let run = Task { await executor.run(routes) { kind, text in post.yield(.report(kind, text)) } }
            let ok = await run.value
            post.yield(.actionFinished(action, succeeded: ok))
        }
    }
}
