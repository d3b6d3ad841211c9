import Memberlist

// Queries: a request gossiped to all, answered by UDP straight to the
// querier (and through relays, so that one lost packet loses no answer).
extension SerfCore {
    /// Returns whether the query is new (and so to be gossiped on).
    mutating func handleQuery(_ query: QueryMessage, context: inout DelegateContext) -> Bool {
        queryClock.witness(query.ltime)
        guard query.ltime >= queryMinTime else { return false }
        let size = UInt64(queryBuffer.count)
        if queryClock.time > size && query.ltime < queryClock.time - size { return false }
        let slot = Int(query.ltime % size)
        if var seen = queryBuffer[slot], seen.ltime == query.ltime {
            if seen.ids.contains(query.id) { return false }
            seen.ids.append(query.id)
            queryBuffer[slot] = seen
        } else {
            queryBuffer[slot] = SeenQueries(ltime: query.ltime, ids: [query.id])
        }
        let rebroadcast = !query.flags.contains(.noBroadcast)
        guard shouldProcess(query.filters) else { return rebroadcast }

        if query.flags.contains(.ack) {
            let ack = QueryResponseMessage(ltime: query.ltime, id: query.id, from: config.nodeName, flags: .ack, payload: [])
            sendResponse(ack, to: query.addr, port: query.port, sourceNode: query.sourceNode,
                         relayFactor: query.relayFactor, context: &context)
        }
        let incoming = IncomingQuery(ltime: query.ltime, name: query.name, addr: query.addr, port: query.port,
                                     sourceNode: query.sourceNode, relayFactor: query.relayFactor,
                                     deadline: context.now + query.timeout)
        if query.name == "_serf_ping" {
            return rebroadcast
        }
        if query.name == "_serf_conflict" {
            answerConflict(query, incoming, context: &context)
            return rebroadcast
        }
        incomingQueries[query.id] = incoming
        outputs.append(.event(.query(QueryEvent(id: UInt64(query.id), ltime: query.ltime, name: query.name,
                                                payload: query.payload, from: query.sourceNode))))
        return rebroadcast
    }

    /// A node checks whether others agree on who holds a contested name:
    /// tell it what we know of that member.
    mutating func answerConflict(_ query: QueryMessage, _ incoming: IncomingQuery, context: inout DelegateContext) {
        let name = String(decoding: query.payload, as: UTF8.self)
        guard name != config.nodeName, let state = members[name] else { return }
        let payload = ConflictResponse(member: state.member).encoded()
        let response = QueryResponseMessage(ltime: query.ltime, id: query.id, from: config.nodeName, flags: [], payload: payload)
        sendResponse(response, to: incoming.addr, port: incoming.port, sourceNode: incoming.sourceNode,
                     relayFactor: incoming.relayFactor, context: &context)
    }

    func shouldProcess(_ filters: [QueryFilter]) -> Bool {
        for filter in filters {
            switch filter {
            case .nodes(let names):
                if !names.contains(config.nodeName) { return false }
            case .tag(let name, let expression):
                let value = config.tags[name] ?? ""
                // Serf matches tag filters unanchored, as Go's regexp.MatchString.
                guard let regex = try? Regex(expression), value.contains(regex) else { return false }
            case .unknown:
                return false
            }
        }
        return true
    }

    mutating func sendResponse(_ response: QueryResponseMessage, to addr: [UInt8], port: UInt16, sourceNode: String,
                               relayFactor: UInt8, context: inout DelegateContext) {
        let encoded = SerfMessage.queryResponse(response).encoded()
        let dest = Endpoint(ip: addr, port: port)
        context.effects.append(.sendPacket(to: dest, parts: [[MessageType.user.rawValue] + encoded], crc: false))
        guard relayFactor > 0 else { return }
        let candidates = context.aliveOthers.filter { $0.versions.protocolMax >= 5 }
        guard members.count >= Int(relayFactor) + 1 else { return }
        let relay = RelayMessage(destAddr: addr, destPort: port, destZone: "", destName: sourceNode, inner: encoded)
        let relayBytes = SerfMessage.relay(relay).encoded()
        for node in candidates.shuffled(using: &rng).prefix(Int(relayFactor)) {
            context.effects.append(.sendPacket(to: node.endpoint, parts: [[MessageType.user.rawValue] + relayBytes], crc: false))
        }
    }

    mutating func handleQueryResponse(_ response: QueryResponseMessage) {
        guard var query = outgoingQueries[response.ltime], query.id == response.id else {
            outputs.append(.dropped(reason: "response from \(response.from) to a query we are not waiting for"))
            return
        }
        if response.flags.contains(.ack) {
            guard query.acks.insert(response.from).inserted else { return }
            outputs.append(.queryReply(ltime: response.ltime, .ack(from: response.from)))
        } else {
            guard query.responses.insert(response.from).inserted else { return }
            outputs.append(.queryReply(ltime: response.ltime, .response(from: response.from, payload: response.payload)))
        }
        outgoingQueries[response.ltime] = query
    }

    /// Sends a query; replies come as `.queryReply` outputs under the returned
    /// Lamport time until `.queryDone`.
    public mutating func sendQuery(_ request: QueryRequest, context: inout DelegateContext) throws(SerfError) -> UInt64 {
        guard lifecycle == .alive else { throw .notAlive(state: lifecycle.rawValue) }
        var filters: [QueryFilter] = []
        if !request.filterNodes.isEmpty { filters.append(.nodes(request.filterNodes)) }
        for (tag, expression) in request.filterTags.sorted(by: { $0.key < $1.key }) {
            filters.append(.tag(name: tag, expression: expression))
        }
        let timeout = request.timeout ?? defaultQueryTimeout(context)
        let query = QueryMessage(ltime: queryClock.time, id: UInt32.random(in: 0 ... UInt32(Int32.max), using: &rng),
                                 addr: context.advertise.ip, port: context.advertise.port,
                                 sourceNode: config.nodeName, filters: filters,
                                 flags: request.requestAck ? .ack : [], relayFactor: request.relayFactor,
                                 timeout: timeout, name: request.name, payload: request.payload)
        let encoded = SerfMessage.query(query).encoded()
        guard encoded.count <= config.querySizeLimit else {
            throw .queryTooLarge(size: encoded.count, limit: config.querySizeLimit)
        }
        outgoingQueries[query.ltime] = OutgoingQuery(id: query.id, name: query.name, deadline: context.now + timeout)
        _ = handleQuery(query, context: &context)
        queryQueue.enqueue(encoded)
        return query.ltime
    }

    /// Answers a query delivered to us as a `.query` event.
    public mutating func respond(to queryID: UInt64, payload: [UInt8], context: inout DelegateContext) throws(SerfError) {
        guard let id = UInt32(exactly: queryID), let query = incomingQueries[id] else { throw .unknownQuery(id: queryID) }
        guard context.now <= query.deadline else {
            incomingQueries[id] = nil
            throw .queryExpired(name: query.name)
        }
        let response = QueryResponseMessage(ltime: query.ltime, id: id, from: config.nodeName, flags: [], payload: payload)
        let size = SerfMessage.queryResponse(response).encoded().count
        guard size <= config.queryResponseSizeLimit else {
            throw .responseTooLarge(size: size, limit: config.queryResponseSizeLimit)
        }
        incomingQueries[id] = nil
        sendResponse(response, to: query.addr, port: query.port, sourceNode: query.sourceNode,
                     relayFactor: query.relayFactor, context: &context)
    }

    /// Serf's default: GossipInterval × QueryTimeoutMult × ceil(log10(N + 1)).
    func defaultQueryTimeout(_ context: DelegateContext) -> Duration {
        let scale = Swift.max(1, Int(log10(Double(context.estimatedNodeCount + 1)).rounded(.up)))
        return context.gossipInterval * (config.queryTimeoutMult * scale)
    }

    mutating func expireQueries(now: Duration) {
        for (ltime, query) in outgoingQueries.sorted(by: { $0.key < $1.key }) where query.deadline <= now {
            outgoingQueries[ltime] = nil
            outputs.append(.queryDone(ltime: ltime))
        }
        incomingQueries = incomingQueries.filter { $0.value.deadline > now }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
