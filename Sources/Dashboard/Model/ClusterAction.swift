import BalancerContract
import HAProxy

/// What an operator can ask of the cluster from the dashboard.
public enum ClusterAction: Sendable, Hashable, CustomStringConvertible {
    case server(ServerAction, node: String)
    /// The same on one balancer only (chosen in the details pane).
    case serverOn(ServerAction, node: String, balancer: String)
    /// Drain, wait for the node's sessions to reach 0, then maint: on every
    /// balancer, or on the one chosen in the details pane.
    case drainThenMaint(node: String, balancer: String? = nil)
    /// Start a new node with the provisioning command.
    case provision(name: String)
    /// Have the cluster join a node at this address (as `serf join`).
    case join(address: String)
    /// Make the balancers re-render their configuration and reload.
    case reload

    public var description: String {
        switch self {
        case .server(let a, let node): return "\(a) \(node)"
        case .serverOn(let a, let node, let balancer): return "\(a) \(node) on \(balancer)"
        case .drainThenMaint(let node, let balancer): return "drain then maint \(node)" + (balancer.map { " on \($0)" } ?? "")
        case .provision(let name): return "add node \(name)"
        case .join(let address): return "join \(address)"
        case .reload: return "reload the balancers"
        }
    }
}

/// Where an action goes. Decided from the flags and the model, without doing
/// anything, so that the choice can be shown and tested.
public enum ActionRoute: Sendable, Hashable, CustomStringConvertible {
    /// `set server` on the runtime API given with --runtime-api.
    case runtimeAPI(HAProxyAddress, ServerTarget, ServerAction)
    /// A Serf query to the balancers, answered by `serftop balancer`.
    case serfQuery(BalancerRequest)
    /// The same query to one balancer member only.
    case serfQueryTo(BalancerRequest, member: String)
    /// The admin form of a balancer's stats page.
    case statsPage(StatsEndpoint, ServerTarget, ServerAction)
    case masterCLI(HAProxyAddress)
    case provisionCommand(String)
    /// The program that runs the dashboard starts the node itself (the demo).
    case provisionLocal(name: String)
    case join(String)
    /// Nothing can carry it out, and why.
    case impossible(String)

    public var description: String {
        switch self {
        case .runtimeAPI(let a, let target, let act): return "\(act) \(target) via runtime API \(a)"
        case .serfQuery(let r): return "Serf query \(r) to the balancers"
        case .serfQueryTo(let r, let member): return "Serf query \(r) to \(member)"
        case .statsPage(let e, let target, let act): return "\(act) \(target) via stats page \(e.authority)"
        case .masterCLI(let a): return "reload via master CLI \(a)"
        case .provisionCommand(let c): return "run: \(c)"
        case .provisionLocal(let name): return "start node \(name)"
        case .join(let a): return "join \(a)"
        case .impossible(let why): return why
        }
    }
}

/// The flags that decide routes.
public struct ActionRouting: Sendable {
    public var runtimeAPI: HAProxyAddress?
    public var masterCLI: HAProxyAddress?
    /// `--provision 'CMD'`, with `{name}` replaced by the new node's name.
    public var provisionCommand: String?
    /// Nodes are started in-process (the demo), before any command.
    public var localProvisioning = false
    /// Whether balancers can be asked over Serf (there is a gossip source and
    /// at least one balancer member).
    public var serfQueries = true

    public init(runtimeAPI: HAProxyAddress? = nil, masterCLI: HAProxyAddress? = nil, provisionCommand: String? = nil,
                serfQueries: Bool = true) {
        self.runtimeAPI = runtimeAPI
        self.masterCLI = masterCLI
        self.provisionCommand = provisionCommand
        self.serfQueries = serfQueries
    }

    public var canProvision: Bool { localProvisioning || provisionCommand != nil }

    /// Server actions: --runtime-api, else a Serf query to the balancer
    /// daemons, else the stats page of every balancer that has the server.
    public func routes(for action: ClusterAction, in model: ClusterModel) -> [ActionRoute] {
        switch action {
        case .server(let act, let node):
            return serverRoutes(act, node: node, model: model)
        case .serverOn(let act, let node, let balancer):
            return serverRoutes(act, node: node, model: model, only: balancer)
        case .drainThenMaint(let node, let balancer):
            return serverRoutes(.drain, node: node, model: model, only: balancer)
        case .reload:
            if let masterCLI { return [.masterCLI(masterCLI)] }
            if serfQueries && model.members.values.contains(where: { model.roles.isBalancer($0) && $0.status.isUp }) {
                return [.serfQuery(.reload)]
            }
            return [.impossible("no way to reload: pass --haproxy-master ADDR, or run `serftop balancer` on the balancers")]
        case .provision(let name):
            if localProvisioning { return [.provisionLocal(name: name)] }
            guard let command = provisionCommand else { return [.impossible("no --provision command")] }
            // The name goes into a shell command, and becomes a server.
            if case .failure(let error) = HAProxyName.server(forMember: name) { return [.impossible("\(error)")] }
            return [.provisionCommand(command.replacingOccurrences(of: "{name}", with: name))]
        case .join(let address):
            return [.join(address)]
        }
    }

    /// Every name is checked before a route is made: a node whose name
    /// HAProxy would not take gets no route but the reason.
    func serverRoutes(_ act: ServerAction, node: String, model: ClusterModel, only balancer: String? = nil) -> [ActionRoute] {
        let server: HAProxyName
        switch HAProxyName.server(forMember: node) {
        case .success(let name): server = name
        case .failure(let error): return [.impossible("\(error)")]
        }
        let refs = (model.rows().first { $0.name == node }?.servers ?? []).filter { balancer == nil || $0.balancer == balancer }
        func target(_ ref: NodeRow.ServerRef) -> Result<ServerTarget, HAProxyError> {
            Result { () throws(HAProxyError) in ServerTarget(backend: try HAProxyName(ref.row.proxy, .backend), server: server) }
        }
        if let balancer {
            // The one member that may answer: the chosen balancer's.
            guard let member = model.balancers.first(where: { $0.label == balancer })?.memberName ?? model.members[balancer]?.name else {
                return [.impossible("\(balancer) is not a member: only every balancer can be asked")]
            }
            if runtimeAPI == nil, serfQueries, let query = ServerQuery(action: act, server: server) {
                return [.serfQueryTo(.server(query), member: member)]
            }
        }
        if let runtimeAPI, balancer == nil {
            guard let ref = refs.first else { return [.runtimeAPI(runtimeAPI, ServerTarget(backend: BalancerBackend.defaultName, server: server), act)] }
            switch target(ref) {
            case .success(let t): return [.runtimeAPI(runtimeAPI, t, act)]
            case .failure(let error): return [.impossible("\(error)")]
            }
        }
        if balancer == nil, serfQueries && model.members.values.contains(where: { model.roles.isBalancer($0) && $0.status.isUp }) {
            guard let query = ServerQuery(action: act, server: server) else {
                return [.impossible("the balancers cannot \(act) over Serf: use --runtime-api")]
            }
            return [.serfQuery(.server(query))]
        }
        let routes: [ActionRoute] = refs.compactMap { ref in
            guard let b = model.balancers.first(where: { $0.label == ref.balancer }) else { return nil }
            switch target(ref) {
            case .success(let t): return .statsPage(b.endpoint, t, act)
            case .failure(let error): return .impossible("\(error)")
            }
        }
        return routes.isEmpty ? [.impossible("\(node) is not a server of any balancer we can reach")] : routes
    }
}
