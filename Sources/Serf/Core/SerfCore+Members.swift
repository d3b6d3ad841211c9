import Memberlist

// Member status: memberlist's joins and departures, and Serf's join/leave
// intents that tell a graceful leave (left) from a crash (failed).
extension SerfCore {
    mutating func handleNodeJoin(_ node: NodeInfo, now: Duration) {
        var state: MemberState
        if var existing = members[node.name] {
            existing.member.status = .alive
            existing.leaveTime = nil
            existing.member.address = node.endpoint.host
            existing.member.port = node.endpoint.port
            existing.member.tags = TagCodec.decode(node.meta)
            existing.endpoint = node.endpoint
            state = existing
        } else {
            state = MemberState(member: Member(name: node.name, address: node.endpoint.host, port: node.endpoint.port,
                                               tags: TagCodec.decode(node.meta), status: .alive),
                                endpoint: node.endpoint, statusLTime: 0, leaveTime: nil)
            if let intent = recentIntents[node.name] {
                state.statusLTime = intent.ltime
                // A leave intent that arrived before the node did still counts.
                if intent.isLeave { state.member.status = .leaving }
            }
        }
        Self.apply(node.versions, to: &state.member)
        members[node.name] = state
        outputs.append(.event(.member(.join, [state.member])))
    }

    mutating func handleNodeLeave(_ node: NodeInfo, now: Duration) {
        guard var state = members[node.name] else { return }
        switch state.member.status {
        case .leaving: state.member.status = .left
        case .alive, .suspect: state.member.status = .failed
        default: return
        }
        state.leaveTime = now
        members[node.name] = state
        outputs.append(.event(.member(state.member.status == .left ? .leave : .failed, [state.member])))
    }

    mutating func handleNodeUpdate(_ node: NodeInfo) {
        guard var state = members[node.name] else { return }
        state.member.address = node.endpoint.host
        state.member.port = node.endpoint.port
        state.member.tags = TagCodec.decode(node.meta)
        state.endpoint = node.endpoint
        Self.apply(node.versions, to: &state.member)
        members[node.name] = state
        outputs.append(.event(.member(.update, [state.member])))
    }

    /// Returns whether to gossip the intent on.
    mutating func handleJoinIntent(_ intent: JoinIntent, now: Duration) -> Bool {
        clock.witness(intent.ltime)
        guard var state = members[intent.node] else {
            return upsertIntent(intent.node, isLeave: false, ltime: intent.ltime, now: now)
        }
        guard intent.ltime > state.statusLTime else { return false }
        state.statusLTime = intent.ltime
        if state.member.status == .leaving { state.member.status = .alive }
        members[intent.node] = state
        return true
    }

    mutating func handleLeaveIntent(_ intent: LeaveIntent, context: inout DelegateContext) -> Bool {
        clock.witness(intent.ltime)
        guard var state = members[intent.node] else {
            return upsertIntent(intent.node, isLeave: true, ltime: intent.ltime, now: context.now)
        }
        guard intent.ltime > state.statusLTime else { return false }
        if intent.node == config.nodeName && lifecycle == .alive {
            // Someone says we are leaving, and we are not: say otherwise.
            broadcastJoinIntent(now: context.now)
            return false
        }
        state.statusLTime = intent.ltime
        switch state.member.status {
        case .alive, .suspect:
            state.member.status = .leaving
        case .failed:
            state.member.status = .left
            outputs.append(.event(.member(.leave, [state.member])))
        case .leaving, .left:
            break
        case .none:
            return false
        }
        members[intent.node] = state
        if intent.prune && (state.member.status == .left || state.member.status == .leaving) {
            erase(intent.node)
        }
        return true
    }

    /// Announces that we are (still) a member, stamped with our member clock.
    mutating func broadcastJoinIntent(now: Duration) {
        let intent = JoinIntent(ltime: clock.time, node: config.nodeName)
        clock.witness(intent.ltime)
        _ = handleJoinIntent(intent, now: now)
        intentQueue.enqueue(SerfMessage.join(intent).encoded())
    }

    mutating func upsertIntent(_ node: String, isLeave: Bool, ltime: UInt64, now: Duration) -> Bool {
        if let existing = recentIntents[node], ltime <= existing.ltime { return false }
        recentIntents[node] = NodeIntent(isLeave: isLeave, ltime: ltime, at: now)
        return true
    }

    mutating func erase(_ name: String) {
        guard let state = members.removeValue(forKey: name) else { return }
        outputs.append(.event(.member(.reap, [state.member])))
    }

    /// Forgets failed members after the reconnect timeout, left ones after
    /// the tombstone timeout, and intents about unknown nodes after a while.
    mutating func reap(now: Duration) {
        for (name, state) in members.sorted(by: { $0.key < $1.key }) {
            guard let since = state.leaveTime else { continue }
            let timeout = state.member.status == .left ? config.tombstoneTimeout : config.reconnectTimeout
            if state.member.status == .failed || state.member.status == .left, now - since > timeout {
                erase(name)
            }
        }
        recentIntents = recentIntents.filter { now - $0.value.at <= config.recentIntentTimeout }
    }

    /// Now and then tries a push/pull with a failed member, so that a healed
    /// partition merges again. Likelier the more of the cluster has failed.
    mutating func reconnect(context: inout DelegateContext) {
        let failed = members.values.filter { $0.member.status == .failed }.sorted { $0.member.name < $1.member.name }
        guard !failed.isEmpty else { return }
        let alive = Double(Swift.max(1, members.values.filter { $0.member.status == .alive }.count))
        let probability = Double(failed.count) / alive
        guard Double.random(in: 0 ..< 1, using: &rng) <= probability else { return }
        if let pick = failed.randomElement(using: &rng) {
            context.effects.append(.pushPull(to: pick.endpoint, join: false))
        }
    }

    static func apply(_ v: ProtocolVersions, to member: inout Member) {
        member.protocolMin = v.protocolMin; member.protocolMax = v.protocolMax; member.protocolCur = v.protocolCur
        member.delegateMin = v.delegateMin; member.delegateMax = v.delegateMax; member.delegateCur = v.delegateCur
    }
}
