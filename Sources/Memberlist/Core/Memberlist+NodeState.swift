// How alive, suspect and dead messages change our view of a node, including
// our own: memberlist's incarnation rules.
extension Memberlist {
    mutating func aliveNode(_ a: Alive, bootstrap: Bool, now: Duration) {
        let isLocal = a.node == config.name
        if hasLeft && isLocal { return }
        guard let versions = ProtocolVersions(bytes: a.vsn), versions.isPlausible else {
            counters.implausibleAlives += 1
            return
        }
        let endpoint = Endpoint(ip: a.addr, port: a.port)
        guard !a.node.isEmpty, endpoint.ip.count == 4 || endpoint.ip.count == 16 else {
            counters.implausibleAlives += 1
            return
        }

        var updatesAddress = false
        var record: NodeRecord
        if let existing = nodes[a.node] {
            record = existing
            if existing.info.endpoint != endpoint {
                // Another process claims this name from elsewhere. Only a node
                // that left may come back at a new address.
                guard existing.state == .left else {
                    counters.addressConflicts += 1
                    return
                }
                updatesAddress = true
            }
        } else {
            // A new node starts out dead, so that becoming alive below is a join.
            record = NodeRecord(info: NodeInfo(name: a.node, endpoint: endpoint, meta: a.meta, versions: versions),
                                incarnation: 0, state: .dead, stateChange: now)
            nodes[a.node] = record
            probeOrder.insert(a.node, at: Int.random(in: 0 ... probeOrder.count, using: &rng))
        }

        if a.incarnation <= record.incarnation && !isLocal && !updatesAddress { return }
        if a.incarnation < record.incarnation && isLocal { return }

        suspicions[a.node] = nil
        let oldState = record.state
        let oldMeta = record.info.meta

        if !bootstrap && isLocal {
            // Someone gossips about us. Only news that matches us exactly is harmless.
            if a.incarnation == record.incarnation && a.meta == record.info.meta && a.vsn == record.info.versions.bytes {
                return
            }
            refute(accused: a.incarnation, now: now)
            return
        }

        broadcast(.alive(a), about: a.node)
        record.info = NodeInfo(name: a.node, endpoint: endpoint, meta: a.meta, versions: versions)
        record.incarnation = a.incarnation
        if record.state != .alive {
            record.state = .alive
            record.stateChange = now
            note(NodeStateChange(node: a.node, state: .alive, incarnation: a.incarnation, refuted: oldState == .suspect))
        }
        nodes[a.node] = record

        if oldState == .dead || oldState == .left {
            callDelegate(now: now) { d, ctx in d.notifyJoin(record.info, context: &ctx) }
        } else if oldMeta != record.info.meta {
            callDelegate(now: now) { d, ctx in d.notifyUpdate(record.info, context: &ctx) }
        }
    }

    mutating func suspectNode(_ s: Suspect, now: Duration) {
        guard var record = nodes[s.node], s.incarnation >= record.incarnation else { return }
        if var timer = suspicions[s.node] {
            if timer.confirm(from: s.from) {
                suspicions[s.node] = timer
                broadcast(.suspect(s), about: s.node)
            }
            return
        }
        guard record.state == .alive else { return }
        if s.node == config.name {
            refute(accused: s.incarnation, now: now)
            return
        }
        broadcast(.suspect(s), about: s.node)
        record.incarnation = s.incarnation
        record.state = .suspect
        record.stateChange = now
        nodes[s.node] = record
        note(NodeStateChange(node: s.node, state: .suspect, incarnation: s.incarnation, from: s.from))

        let n = nodes.count
        var k = config.suspicionMult - 2
        if n - 2 < k { k = 0 }
        let min = Scaling.suspicionTimeout(mult: config.suspicionMult, nodes: n, interval: config.probeInterval)
        let max = min * config.suspicionMaxTimeoutMult
        suspicions[s.node] = Suspicion(from: s.from, k: k, min: min, max: max, now: now)
    }

    mutating func deadNode(_ d: Dead, now: Duration) {
        guard var record = nodes[d.node], d.incarnation >= record.incarnation else { return }
        suspicions[d.node] = nil
        if record.isDeadOrLeft { return }
        if d.node == config.name {
            guard hasLeft else {
                refute(accused: d.incarnation, now: now)
                return
            }
            broadcast(.dead(d), about: d.node, token: leaveToken)
        } else {
            broadcast(.dead(d), about: d.node)
        }
        record.incarnation = d.incarnation
        record.state = d.node == d.from ? .left : .dead
        record.stateChange = now
        nodes[d.node] = record
        note(NodeStateChange(node: d.node, state: record.state, incarnation: d.incarnation, from: d.from))
        callDelegate(now: now) { del, ctx in del.notifyLeave(record.info, context: &ctx) }
    }

    /// Someone thinks we are suspect or dead, or gossips an old version of us:
    /// outbid them with a higher incarnation.
    mutating func refute(accused: UInt32, now: Duration) {
        incarnation += 1
        if accused >= incarnation { incarnation = accused + 1 }
        applyAwareness(1)
        if var me = nodes[config.name] {
            me.incarnation = incarnation
            nodes[config.name] = me
        }
        note(NodeStateChange(node: config.name, state: .alive, incarnation: incarnation, refuted: true))
        broadcast(.alive(selfAlive()), about: config.name)
    }

    mutating func expireSuspicions(now: Duration) {
        for (name, timer) in suspicions.sorted(by: { $0.key < $1.key }) where timer.deadline <= now {
            suspicions[name] = nil
            guard let record = nodes[name], record.state == .suspect, record.stateChange == timer.start else { continue }
            deadNode(Dead(incarnation: record.incarnation, node: name, from: config.name), now: now)
        }
    }

    /// Refuses a push/pull whose nodes could not all talk to ours: every
    /// current version must lie within what all alive nodes understand.
    func verifyProtocol(_ remote: [PushNodeState]) throws(IncompatibleProtocol) {
        var maxPMin: UInt8 = 0, minPMax: UInt8 = .max
        var maxDMin: UInt8 = 0, minDMax: UInt8 = .max
        for r in remote where r.state == .alive && r.vsn.count == 6 {
            maxPMin = Swift.max(maxPMin, r.vsn[0]); minPMax = Swift.min(minPMax, r.vsn[1])
            maxDMin = Swift.max(maxDMin, r.vsn[3]); minDMax = Swift.min(minDMax, r.vsn[4])
        }
        for n in nodes.values where n.state == .alive {
            let v = n.info.versions
            maxPMin = Swift.max(maxPMin, v.protocolMin); minPMax = Swift.min(minPMax, v.protocolMax)
            maxDMin = Swift.max(maxDMin, v.delegateMin); minDMax = Swift.min(minDMax, v.delegateMax)
        }
        func check(_ name: String, _ p: UInt8, _ d: UInt8) throws(IncompatibleProtocol) {
            if p < maxPMin || p > minPMax {
                throw IncompatibleProtocol(node: name, version: p, range: maxPMin <= minPMax ? maxPMin ... minPMax : nil, delegate: false)
            }
            if d < maxDMin || d > minDMax {
                throw IncompatibleProtocol(node: name, version: d, range: maxDMin <= minDMax ? maxDMin ... minDMax : nil, delegate: true)
            }
        }
        for r in remote {
            try check(r.name, r.vsn.count == 6 ? r.vsn[2] : 0, r.vsn.count == 6 ? r.vsn[5] : 0)
        }
        for n in nodes.values {
            try check(n.info.name, n.info.versions.protocolCur, n.info.versions.delegateCur)
        }
    }
}
