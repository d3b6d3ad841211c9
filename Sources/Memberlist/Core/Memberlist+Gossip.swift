// Spreading news: piggybacking on every packet we send, gossip rounds to a
// few random nodes, and periodic full-state push/pulls.
extension Memberlist {
    static var compoundHeaderOverhead: Int { 2 }
    static var compoundEntryOverhead: Int { 2 }

    /// Sends one command, with as many pending broadcasts as fit beside it.
    mutating func send(_ message: [UInt8], to endpoint: Endpoint, now: Duration) {
        let available = config.udpBufferSize - message.count - Self.compoundHeaderOverhead - config.encryptionOverhead
        let extra = pendingBroadcasts(overhead: Self.compoundEntryOverhead, limit: available, now: now)
        emit(.sendPacket(to: endpoint, parts: [message] + extra, crc: false))
    }

    /// memberlist's own broadcasts first, then the delegate's (each prefixed
    /// as a user message), within `limit` bytes.
    mutating func pendingBroadcasts(overhead: Int, limit: Int, now: Duration) -> [[UInt8]] {
        let transmitLimit = Scaling.retransmitLimit(mult: config.retransmitMult, nodes: nodes.count)
        var out = broadcasts.take(overhead: overhead, limit: limit, transmitLimit: transmitLimit)
        let used = out.reduce(0) { $0 + $1.count + overhead }
        let available = limit - used
        let userOverhead = 1
        if available > overhead + userOverhead {
            let user = callDelegate(now: now) { d, ctx in
                d.broadcasts(overhead: overhead + userOverhead, limit: available, context: &ctx)
            }
            out.append(contentsOf: user.map { [MessageType.user.rawValue] + $0 })
        }
        return out
    }

    mutating func gossip(now: Duration) {
        let me = config.name, deadTime = config.gossipToTheDeadTime
        let targets = randomNodes(config.gossipNodes) { n in
            guard n.info.name != me else { return false }
            switch n.state {
            case .alive, .suspect: return true
            case .dead: return now - n.stateChange <= deadTime
            case .left: return false
            }
        }
        let budget = config.udpBufferSize - Self.compoundHeaderOverhead - config.encryptionOverhead
        for node in targets {
            let parts = pendingBroadcasts(overhead: Self.compoundEntryOverhead, limit: budget, now: now)
            if parts.isEmpty { return }
            emit(.sendPacket(to: node.info.endpoint, parts: parts, crc: node.info.versions.protocolMax >= 5))
        }
    }

    mutating func pushPullRandomNode() {
        let me = config.name
        let peer = randomNodes(1) { $0.info.name != me && $0.state == .alive }
        if let peer = peer.first {
            emit(.pushPull(to: peer.info.endpoint, join: false))
        }
    }
}
