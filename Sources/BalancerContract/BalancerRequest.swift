import HAProxy
import Serf

/// The queries `serftop balancer` answers, by their Serf query name.
public enum BalancerQuery: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Re-render, check, install and reload now, even an unchanged file.
    case reload = "serftop-reload"
    /// `drain|ready|maint NAME` on the balancer's own runtime API.
    case server = "serftop-server"

    public var name: String { rawValue }
    public var description: String { rawValue }
}

/// One request to the balancers: built by the dashboard, parsed by the
/// daemon. Both queries change HAProxy, so both are signed (ActionKey).
public enum BalancerRequest: Sendable, Hashable, CustomStringConvertible {
    case reload
    case server(ServerQuery)

    /// A payload longer than this is refused unread: the longest request is
    /// a verb, a space and a name of HAProxyName.maxLength bytes.
    public static let maxPayload = 256

    public var query: BalancerQuery {
        switch self {
        case .reload: return .reload
        case .server: return .server
        }
    }

    /// The payload before it is signed.
    public var payload: String {
        switch self {
        case .reload: return ""
        case .server(let q): return q.payload
        }
    }

    public var description: String { "\(query) '\(payload)'" }

    /// The request that `payload` (signature removed) carries under the
    /// query `name`. Anything else than the grammar is refused, not guessed at.
    public init(query name: String, payload: [UInt8]) throws(BalancerRequestError) {
        guard let query = BalancerQuery(rawValue: name) else { throw .unknownQuery(HAProxyName.quoted(name)) }
        guard payload.count <= Self.maxPayload else { throw .tooLong(payload.count) }
        guard let text = String(validating: payload, as: UTF8.self) else { throw .notText }
        switch query {
        case .reload:
            guard text.allSatisfy(\.isWhitespace) else { throw .unexpectedPayload(HAProxyName.quoted(text)) }
            self = .reload
        case .server:
            self = .server(try ServerQuery(parsing: text))
        }
    }

    /// The Serf query that asks every balancer, and only them.
    /// `only`: one balancer's member name, when the others must not act.
    public func queryRequest(to roles: ClusterRoles, timeout: Duration, only member: String? = nil) -> QueryRequest {
        QueryRequest(name: query.name, payload: Array(payload.utf8), filterNodes: member.map { [$0] } ?? [],
                     filterTags: roles.balancerFilter, requestAck: true, timeout: timeout)
    }

    /// The request a query event carries, if its signature holds for this
    /// query and it was not carried out before; why not otherwise. The
    /// signature is checked before the payload is read.
    public static func receive(_ event: QueryEvent, key: ActionKey?,
                               replays: inout ReplayGuard) -> Result<BalancerRequest, BalancerRefusal> {
        guard let key else { return .failure(.notAuthorised(.noKey)) }
        let action: SignedAction
        switch key.verify(query: event.name, signed: event.payload, queryLTime: event.ltime) {
        case .failure(let refusal): return .failure(.notAuthorised(refusal))
        case .success(let a): action = a
        }
        guard replays.accept(action) else { return .failure(.notAuthorised(.replayed)) }
        do {
            return .success(try BalancerRequest(query: event.name, payload: action.payload))
        } catch {
            return .failure(.malformed(error))
        }
    }
}

/// The payload of a `serftop-server` query: `drain|ready|maint NAME`, the
/// name a HAProxy server name (HAProxyName.server(forMember:)).
public struct ServerQuery: Sendable, Hashable {
    /// The actions a balancer takes over Serf; weights are set on the
    /// runtime API directly.
    public enum Verb: String, Sendable, CaseIterable {
        case drain, ready, maint

        public var action: ServerAction {
            switch self {
            case .drain: return .drain
            case .ready: return .ready
            case .maint: return .maint
            }
        }

        public init?(_ action: ServerAction) {
            switch action {
            case .drain: self = .drain
            case .ready: self = .ready
            case .maint: self = .maint
            case .weight: return nil
            }
        }

        static let list = "drain, ready or maint"
    }

    public var verb: Verb
    public var server: HAProxyName

    public var action: ServerAction { verb.action }

    public init(_ verb: Verb, server: HAProxyName) {
        self.verb = verb
        self.server = server
    }

    /// Nil for an action the query cannot carry (a weight).
    public init?(action: ServerAction, server: HAProxyName) {
        guard let verb = Verb(action) else { return nil }
        self.init(verb, server: server)
    }

    public var payload: String { "\(verb.rawValue) \(server)" }

    public init(parsing payload: String) throws(BalancerRequestError) {
        let words = payload.split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.count == 2 else { throw .serverGrammar(HAProxyName.quoted(payload)) }
        guard let verb = Verb(rawValue: words[0].lowercased()) else { throw .unknownVerb(HAProxyName.quoted(words[0])) }
        self.verb = verb
        do {
            server = try HAProxyName(words[1], .server)
        } catch {
            throw .badName(error)
        }
    }
}

/// Why a payload is not a request.
public enum BalancerRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownQuery(String)
    case tooLong(Int)
    case notText
    case unexpectedPayload(String)
    case serverGrammar(String)
    case unknownVerb(String)
    case badName(HAProxyError)

    public var description: String {
        switch self {
        case .unknownQuery(let name): return "\(name) is not a query serftop balancer answers (\(BalancerQuery.allCases.map(\.name).joined(separator: ", ")))"
        case .tooLong(let n): return "the payload is \(n) bytes long (at most \(BalancerRequest.maxPayload)); nothing was done"
        case .notText: return "the payload is not UTF-8 text; nothing was done"
        case .unexpectedPayload(let p): return "\(BalancerQuery.reload) takes no payload, got \(p); nothing was done"
        case .serverGrammar(let p): return "expected '\(ServerQuery.Verb.allCases.map(\.rawValue).joined(separator: "|")) NAME', got \(p)"
        case .unknownVerb(let v): return "unknown server action \(v): use \(ServerQuery.Verb.list)"
        case .badName(let e): return "\(e)"
        }
    }
}

/// Why a balancer did not carry out a query.
public enum BalancerRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case notAuthorised(ActionRefusal)
    case malformed(BalancerRequestError)

    public var description: String {
        switch self {
        case .notAuthorised(let r): return "\(r)"
        case .malformed(let e): return "\(e)"
        }
    }
}

/// The HAProxy backend `serftop balancer` puts the servers in unless given
/// `--backend`; the dashboard assumes it for a server no stats page shows.
public enum BalancerBackend {
    public static let defaultName: HAProxyName = "nodes"
}
