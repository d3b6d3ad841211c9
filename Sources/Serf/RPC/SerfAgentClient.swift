import MessagePack
import NIOCore

/// The cluster as a local `serf agent` sees it, over the agent's RPC port
/// (127.0.0.1:7373 by default). Used by the balancer daemon, and by serftop
/// with `--rpc` where an agent already runs.
public actor SerfAgentClient: MembershipSource {
    public nonisolated let address: String
    let connection: AgentRPCConnection
    private var streams: [UInt64] = []

    /// Connects, shakes hands and, if given a key, authenticates.
    /// No reply of an agent comes near this; a peer that sends more without
    /// finishing a record is not an agent.
    public static let defaultMaxRecord = 64 << 20

    /// An agent answers a command in milliseconds; one that has said nothing
    /// for this long is stopped or swamped.
    public static let defaultCallTimeout: Duration = .seconds(10)

    /// `maxRecord`: the most bytes one reply may take before the peer is
    /// taken for something other than an agent. `callTimeout`: how long any
    /// later command may go unanswered before the connection is given up.
    public static func connect(_ address: String = "127.0.0.1:7373", authKey: String? = nil,
                               timeout: Duration = .seconds(5),
                               maxRecord: Int = defaultMaxRecord,
                               callTimeout: Duration = defaultCallTimeout) async throws -> SerfAgentClient {
        guard let (host, port) = splitHostPort(address, defaultPort: 7373) else {
            throw AgentRPCError.cannotConnect(address: address, reason: "not a HOST:PORT address")
        }
        let connection = try await AgentRPCConnection.connect(host: host, port: port, timeout: timeout, maxRecord: maxRecord,
                                                              callTimeout: callTimeout)
        do {
            // Something that accepts connections but never answers as an
            // agent would hold the handshake for ever: it gets `timeout`.
            _ = try await connection.call("handshake", body: .map(["Version": .uint(1)]), replyBody: false, bound: timeout)
            if let authKey {
                _ = try await connection.call("auth", body: .map(["AuthKey": .string(authKey)]), replyBody: false)
            }
        } catch AgentRPCError.noAnswer(command: "handshake", _, _) {
            await connection.close()
            throw AgentRPCError.cannotConnect(address: address, reason: "no answer to the RPC handshake within \(timeout): is it a serf agent's RPC port?")
        } catch {
            await connection.close()
            throw error
        }
        return SerfAgentClient(address: "\(host):\(port)", connection: connection)
    }

    init(address: String, connection: AgentRPCConnection) {
        self.address = address
        self.connection = connection
    }

    public func members() async throws -> [Member] {
        try Self.members(from: try await connection.call("members", replyBody: true), command: "members")
    }

    /// `members-filtered`: tag, status and name regular expressions, anchored.
    public func members(tags: [String: String] = [:], status: String = "", name: String = "") async throws -> [Member] {
        let body = MessagePackValue.map(["Tags": .stringMap(tags), "Status": .string(status), "Name": .string(name)])
        return try Self.members(from: try await connection.call("members-filtered", body: body, replyBody: true),
                                command: "members-filtered")
    }

    public func events() async throws -> AsyncThrowingStream<SerfEvent, any Error> {
        let (seq, records) = try await connection.openStream("stream", body: .map(["Type": .string("*")]))
        streams.append(seq)
        let connection = self.connection
        return relay(records, onEnd: { Task { await connection.stop(seq) } }) { Self.event(from: $0) }
    }

    /// The agent's member events reach RPC streams coalesced, one to three
    /// seconds late, but it logs each change as memberlist reports it. Its
    /// log stream (`monitor`, which sees every level whatever the agent's
    /// `-log-level`) is the prompt signal; a line is only a reason to read
    /// the member list again, so a member named like a log line costs one
    /// read at most.
    public func membershipChanges() async throws -> AsyncThrowingStream<Void, any Error> {
        let (seq, records) = try await connection.openStream("monitor", body: .map(["LogLevel": .string("INFO")]))
        streams.append(seq)
        let connection = self.connection
        return relay(records, onEnd: { Task { await connection.stop(seq) } }) { record -> Void? in
            record["Log"]?.stringValue?.contains(Self.memberChangeMarker) == true ? () : nil
        }
    }

    /// What serf logs (at INFO) for every join, leave, failure, update and reap.
    static let memberChangeMarker = "serf: EventMember"

    public func sendUserEvent(name: String, payload: [UInt8], coalesce: Bool) async throws {
        let body = MessagePackValue.map(["Name": .string(name), "Payload": .bin(payload), "Coalesce": .bool(coalesce)])
        _ = try await connection.call("event", body: body, replyBody: false)
    }

    public func query(_ request: QueryRequest) async throws -> AsyncThrowingStream<QueryReply, any Error> {
        let timeout = request.timeout.map { TimeAmount($0).nanoseconds } ?? 0
        let body = MessagePackValue.map([
            "FilterNodes": .array(request.filterNodes.map { .string($0) }),
            "FilterTags": .stringMap(request.filterTags),
            "RequestAck": .bool(request.requestAck),
            "RelayFactor": .uint(UInt64(request.relayFactor)),
            "Timeout": .int(timeout),
            "Name": .string(request.name),
            "Payload": .bin(request.payload),
        ])
        let (seq, records) = try await connection.openStream("query", body: body)
        let connection = self.connection
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await record in records {
                        let type = record["Type"]?.stringValue ?? ""
                        if type == "done" { break }
                        // serf 0.9.4 sends a burst of empty records as the query
                        // times out; they carry nothing.
                        guard let from = record["From"]?.stringValue, !from.isEmpty else { continue }
                        if type == "ack" {
                            continuation.yield(.ack(from: from))
                        } else if type == "response" {
                            continuation.yield(.response(from: from, payload: record["Payload"]?.bytesValue ?? []))
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
                await connection.stop(seq)
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func respond(to query: QueryEvent, payload: [UInt8]) async throws {
        let body = MessagePackValue.map(["ID": .uint(query.id), "Payload": .bin(payload)])
        _ = try await connection.call("respond", body: body, replyBody: false)
    }

    public func join(_ addresses: [String]) async throws -> Int {
        let body = MessagePackValue.map(["Existing": .array(addresses.map { .string($0) }), "Replay": .bool(false)])
        // The agent answers once it has tried every address, each up to its
        // TCP timeout (10 s on the LAN profile).
        let bound = connection.callTimeout + .seconds(10) * addresses.count
        let reply = try await connection.call("join", body: body, replyBody: true, bound: bound)
        return Int(reply?["Num"]?.int64Value ?? 0)
    }

    /// Disconnects; the agent itself stays in the cluster.
    public func close() async throws {
        await connection.close()
    }

    /// The agent's `stats`: sections (agent, serf, runtime, tags) of key → value.
    public func stats() async throws -> [String: [String: String]] {
        guard let reply = try await connection.call("stats", replyBody: true), let sections = reply.mapEntries else {
            throw AgentRPCError.unexpectedReply(command: "stats", detail: "no body")
        }
        var out: [String: [String: String]] = [:]
        for s in sections {
            guard let name = s.key.stringValue else { continue }
            out[name] = s.value.stringMapValue ?? [:]
        }
        return out
    }

    public func querySender() async throws -> (name: String, queryTime: UInt64) {
        let s = try await stats()
        return (s["agent"]?["name"] ?? "", s["serf"]?["query_time"].flatMap { UInt64($0) } ?? 0)
    }

    /// The agent's own node name.
    public func agentName() async throws -> String {
        try await stats()["agent"]?["name"] ?? ""
    }

    // MARK: Decoding records

    static func members(from reply: MessagePackValue?, command: String) throws -> [Member] {
        guard let list = reply?["Members"]?.arrayValue else {
            throw AgentRPCError.unexpectedReply(command: command, detail: "no member list")
        }
        return list.compactMap(member(from:))
    }

    static func member(from v: MessagePackValue) -> Member? {
        guard let name = v["Name"]?.stringValue else { return nil }
        let addr = v["Addr"]?.bytesValue ?? []
        let address: String
        if addr.count == 16, addr[0 ..< 10].allSatisfy({ $0 == 0 }), addr[10] == 0xff, addr[11] == 0xff {
            address = addr[12...].map(String.init).joined(separator: ".")
        } else if addr.count == 4 {
            address = addr.map(String.init).joined(separator: ".")
        } else {
            address = stride(from: 0, to: addr.count, by: 2).map { String(UInt16(addr[$0]) << 8 | UInt16(addr[min($0 + 1, addr.count - 1)]), radix: 16) }.joined(separator: ":")
        }
        func u8(_ key: String) -> UInt8 { v[key]?.unsigned(UInt8.self) ?? 0 }
        return Member(name: name, address: address, port: v["Port"]?.unsigned(UInt16.self) ?? 0,
                      tags: v["Tags"]?.stringMapValue ?? [:],
                      status: MemberStatus(rawValue: v["Status"]?.stringValue ?? "") ?? .none,
                      protocolMin: u8("ProtocolMin"), protocolMax: u8("ProtocolMax"), protocolCur: u8("ProtocolCur"),
                      delegateMin: u8("DelegateMin"), delegateMax: u8("DelegateMax"), delegateCur: u8("DelegateCur"))
    }

    static func event(from record: MessagePackValue) -> SerfEvent? {
        guard let name = record["Event"]?.stringValue else { return nil }
        if let kind = MemberEventKind(rawValue: name) {
            return .member(kind, (record["Members"]?.arrayValue ?? []).compactMap(member(from:)))
        }
        switch name {
        case "user":
            return .user(UserEvent(ltime: record["LTime"]?.uint64Value ?? 0, name: record["Name"]?.stringValue ?? "",
                                   payload: record["Payload"]?.bytesValue ?? [], coalesce: record["Coalesce"]?.boolValue ?? false))
        case "query":
            return .query(QueryEvent(id: record["ID"]?.uint64Value ?? 0, ltime: record["LTime"]?.uint64Value ?? 0,
                                     name: record["Name"]?.stringValue ?? "", payload: record["Payload"]?.bytesValue ?? []))
        default:
            return nil
        }
    }
}
