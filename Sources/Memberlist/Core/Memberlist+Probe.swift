/// One round of failure detection against one node: a direct ping, then
/// indirect pings through others and a TCP ping, then suspicion.
struct ProbeRound: Sendable {
    let target: String
    /// The target's incarnation when the round began: a failed round accuses
    /// that one, so an alive heard meanwhile outbids it.
    let incarnation: UInt32
    let seqNo: UInt32
    /// When the direct ping counts as missed and indirect probes go out.
    let indirectAt: Duration
    /// The end of the round: no ack by then means suspect.
    let deadline: Duration
    var indirectSent = false
    var expectedNacks = 0
    var nacks = 0
    var tcpPending = false
}

/// A ping we send on behalf of another prober (an indirect ping request).
struct RelayedPing: Sendable {
    let requester: Endpoint
    let requesterSeqNo: UInt32
    let wantsNack: Bool
    let expires: Duration
}

extension Memberlist {
    mutating func advanceProbe(now: Duration) {
        if let round = probe {
            if !round.indirectSent && now >= round.indirectAt {
                sendIndirectProbes(now: now)
            }
            if let round = probe, now >= round.deadline {
                probeFailed(round, now: now)
            }
        }
        if probe == nil && now >= nextProbeAt {
            nextProbeAt = now + config.probeInterval
            startProbe(now: now)
        }
    }

    /// Picks the next node in our shuffled order, skipping ourselves and the
    /// dead; on wrap-around, forgets long-dead nodes and reshuffles.
    mutating func startProbe(now: Duration) {
        var checked = 0
        while checked < probeOrder.count {
            if probeIndex >= probeOrder.count {
                resetProbeOrder(now: now)
                probeIndex = 0
                checked += 1
                continue
            }
            let name = probeOrder[probeIndex]
            probeIndex += 1
            guard let record = nodes[name], name != config.name, !record.isDeadOrLeft else {
                checked += 1
                continue
            }
            probeNode(record, now: now)
            return
        }
    }

    mutating func probeNode(_ record: NodeRecord, now: Duration) {
        let interval = scaledProbeInterval
        let ping = Ping(seqNo: nextSequence(), node: record.info.name, sourceAddr: config.advertise.ip,
                        sourcePort: config.advertise.port, sourceNode: config.name)
        probe = ProbeRound(target: record.info.name, incarnation: record.incarnation, seqNo: ping.seqNo,
                           indirectAt: now + config.probeTimeout, deadline: now + interval)
        if record.state == .alive {
            send(Message.ping(ping).encoded(), to: record.info.endpoint, now: now)
        } else {
            // Tell a suspect what we think, so it can refute at once.
            let suspect = Suspect(incarnation: record.incarnation, node: record.info.name, from: config.name)
            emit(.sendPacket(to: record.info.endpoint,
                                      parts: [Message.ping(ping).encoded(), Message.suspect(suspect).encoded()],
                                      crc: record.info.versions.protocolMax >= 5))
        }
    }

    mutating func sendIndirectProbes(now: Duration) {
        guard var round = probe, let targetRecord = nodes[round.target] else { return }
        round.indirectSent = true
        let me = config.name, target = round.target
        let peers = randomNodes(config.indirectChecks) {
            $0.info.name != me && $0.info.name != target && $0.state == .alive
        }
        for peer in peers {
            let wantsNack = peer.info.versions.protocolMax >= 4
            if wantsNack { round.expectedNacks += 1 }
            let request = IndirectPingRequest(seqNo: round.seqNo, target: targetRecord.info.endpoint.ip,
                                              port: targetRecord.info.endpoint.port, node: targetRecord.info.name,
                                              nack: wantsNack, sourceAddr: config.advertise.ip,
                                              sourcePort: config.advertise.port, sourceNode: config.name)
            send(Message.indirectPing(request).encoded(), to: peer.info.endpoint, now: now)
        }
        if !config.disableTCPPings && targetRecord.info.versions.protocolMax >= 3 {
            round.tcpPending = true
            let ping = Ping(seqNo: round.seqNo, node: targetRecord.info.name, sourceAddr: config.advertise.ip,
                            sourcePort: config.advertise.port, sourceNode: config.name)
            emit(.tcpPing(to: targetRecord.info.endpoint, ping: ping, deadline: round.deadline))
        }
        probe = round
    }

    mutating func probeSucceeded() {
        probe = nil
        applyAwareness(-1)
    }

    mutating func probeFailed(_ round: ProbeRound, now: Duration) {
        probe = nil
        // Missing nacks mean our own network is the problem as much as the
        // target: slow down our probing rather than accuse too eagerly.
        if round.expectedNacks > 0 {
            applyAwareness(Swift.max(0, round.expectedNacks - round.nacks))
        } else {
            applyAwareness(1)
        }
        suspectNode(Suspect(incarnation: round.incarnation, node: round.target, from: config.name), now: now)
    }

    mutating func handleAck(_ ack: AckResponse, now: Duration) {
        if probe?.seqNo == ack.seqNo {
            probeSucceeded()
        } else if let relay = relays.removeValue(forKey: ack.seqNo) {
            let forward = AckResponse(seqNo: relay.requesterSeqNo, payload: ack.payload)
            send(Message.ack(forward).encoded(), to: relay.requester, now: now)
        } else {
            counters.unknownAcks += 1
        }
    }

    mutating func relayPing(_ request: IndirectPingRequest, from source: Endpoint, now: Duration) {
        let seq = nextSequence()
        let ping = Ping(seqNo: seq, node: request.node, sourceAddr: config.advertise.ip,
                        sourcePort: config.advertise.port, sourceNode: config.name)
        relays[seq] = RelayedPing(requester: replyEndpoint(request.sourceAddr, request.sourcePort, or: source),
                                  requesterSeqNo: request.seqNo, wantsNack: request.nack,
                                  expires: now + config.probeTimeout)
        send(Message.ping(ping).encoded(), to: Endpoint(ip: request.target, port: request.port), now: now)
    }

    mutating func expireRelays(now: Duration) {
        for (seq, relay) in relays.sorted(by: { $0.key < $1.key }) where relay.expires <= now {
            relays[seq] = nil
            if relay.wantsNack {
                send(Message.nack(NackResponse(seqNo: relay.requesterSeqNo)).encoded(), to: relay.requester, now: now)
            }
        }
    }

    mutating func resetProbeOrder(now: Duration) {
        let forgotten = nodes.values.filter {
            $0.isDeadOrLeft && now - $0.stateChange > config.gossipToTheDeadTime && $0.info.name != config.name
        }.map(\.info.name)
        for name in forgotten { nodes[name] = nil }
        probeOrder = nodes.keys.sorted().shuffled(using: &rng)
    }

    var scaledProbeInterval: Duration { config.probeInterval * (awareness + 1) }

    mutating func applyAwareness(_ delta: Int) {
        awareness = Swift.min(Swift.max(awareness + delta, 0), config.awarenessMaxMultiplier - 1)
    }
}
