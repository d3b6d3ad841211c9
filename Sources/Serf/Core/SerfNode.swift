import MessagePack
import Memberlist

/// A whole native Serf member as one pure value: memberlist with Serf as its
/// delegate, plus the graceful-leave sequence that spans both layers.
/// `SerfMember` runs it on real sockets; tests run many of them on a
/// simulated network and clock.
public struct SerfNode: Sendable {
    public internal(set) var memberlist: Memberlist<SerfCore>
    public internal(set) var leavePhase: LeavePhase = .none

    public enum LeavePhase: Sendable, Equatable {
        case none
        /// Our leave intent is being gossiped.
        case intent(token: Int, deadline: Duration)
        /// Our memberlist "dead, from ourselves" is being gossiped.
        case memberlist(deadline: Duration)
        /// Still answering pings a little longer so the news spreads.
        case propagating(until: Duration)
        case done
    }

    public init(memberlist config: MemberlistConfig, serf serfConfig: SerfConfig, now: Duration, seed: UInt64) throws(SerfError) {
        var config = config
        do {
            config.meta = try TagCodec.encode(serfConfig.tags)
        } catch {
            throw .tagsTooLarge(size: 1 + MessagePackValue.stringMap(serfConfig.tags).encoded(profile: .gossip).count)
        }
        config.versions.delegateCur = serfConfig.protocolVersion
        let core = SerfCore(config: serfConfig, now: now, seed: seed)
        memberlist = Memberlist(config: config, delegate: core, now: now, seed: seed)
    }

    public var name: String { memberlist.localName }
    public var serf: SerfCore { memberlist.delegate }

    /// Every member, with memberlist's suspicion shown (Serf itself reports
    /// a suspect member as alive).
    public var members: [Member] {
        serf.members.values.map { state in
            var m = state.member
            if m.status == .alive, memberlist.nodes[m.name]?.state == .suspect { m.status = .suspect }
            return m
        }.sorted { $0.name < $1.name }
    }

    public var nextDeadline: Duration {
        var t = Swift.min(memberlist.nextDeadline, serf.nextDeadline)
        switch leavePhase {
        case .intent(_, let d), .memberlist(let d), .propagating(let d): t = Swift.min(t, d)
        case .none, .done: break
        }
        return t
    }

    public var isLeaveComplete: Bool { leavePhase == .done }

    // MARK: Input
    // Every input returns a SerfStep: what it asks of the shell, and when
    // the node next needs a tick.

    public mutating func receive(_ messages: [Message], from source: Endpoint, now: Duration) -> SerfStep {
        finish(memberlist.receive(messages, from: source, now: now))
    }

    public mutating func receiveStream(_ message: StreamMessage, from source: Endpoint, now: Duration)
        -> (reply: StreamMessage?, step: SerfStep) {
        let (reply, step) = memberlist.receiveStream(message, from: source, now: now)
        return (reply, finish(step))
    }

    public func localPushPull(join: Bool, now: Duration) -> PushPull {
        memberlist.localPushPull(join: join, now: now)
    }

    public mutating func mergeRemoteState(_ remote: PushPull, now: Duration) throws(IncompatibleProtocol) -> SerfStep {
        finish(try memberlist.mergeRemoteState(remote, now: now))
    }

    public mutating func tcpPingCompleted(seqNo: UInt32, acked: Bool, now: Duration) -> SerfStep {
        finish(memberlist.tcpPingCompleted(seqNo: seqNo, acked: acked, now: now))
    }

    public mutating func tick(now: Duration) -> SerfStep {
        var step = memberlist.tick(now: now)
        step.append(memberlist.withDelegate(now: now) { serf, context in serf.tick(context: &context) }.step)
        advanceLeave(now: now, into: &step)
        return finish(step)
    }

    /// Memberlist's step with Serf's news: status changes, events and query
    /// replies, and the node's own next deadline (leaving included).
    mutating func finish(_ step: MemberlistStep? = nil) -> SerfStep {
        SerfStep(effects: step?.effects ?? [], statusChanges: (step?.stateChanges ?? []).map(MemberStatusChange.init),
                 outputs: memberlist.delegate.drainOutputs(), nextDeadline: nextDeadline)
    }

    // MARK: Joining

    /// Call before merging the replies of a join: with `ignoreOld`, events
    /// from before we joined are not replayed to us (as `serf agent -join`).
    public mutating func beginJoin(ignoreOld: Bool) {
        memberlist.delegate.ignoreEventsBeforeJoin = ignoreOld
    }

    /// Call after a join attempt: if anyone answered, announce our join intent.
    public mutating func endJoin(successes: Int, now: Duration) -> SerfStep {
        memberlist.delegate.ignoreEventsBeforeJoin = false
        guard successes > 0 else { return finish() }
        return finish(memberlist.withDelegate(now: now) { serf, context in serf.broadcastJoinIntent(now: context.now) }.step)
    }

    // MARK: Events and queries

    public mutating func sendUserEvent(name: String, payload: [UInt8], coalesce: Bool) throws(SerfError) -> SerfStep {
        try memberlist.delegate.sendUserEvent(name: name, payload: payload, coalesce: coalesce)
        return finish()
    }

    /// True while events we sent have not yet been gossiped as often as Serf wants.
    public var hasPendingEvents: Bool { serf.hasPendingEvents }

    /// The query's Lamport time (its id among replies), and the step.
    public mutating func sendQuery(_ request: QueryRequest, now: Duration) throws(SerfError) -> (ltime: UInt64, step: SerfStep) {
        let (ltime, step) = try memberlist.withDelegate(now: now) { (serf, context) throws(SerfError) -> UInt64 in
            try serf.sendQuery(request, context: &context)
        }
        return (ltime, finish(step))
    }

    public mutating func respond(to queryID: UInt64, payload: [UInt8], now: Duration) throws(SerfError) -> SerfStep {
        let (_, step) = try memberlist.withDelegate(now: now) { (serf, context) throws(SerfError) in
            try serf.respond(to: queryID, payload: payload, context: &context)
        }
        return finish(step)
    }

    // MARK: Leaving

    /// Starts a graceful leave: Serf's leave intent first, so that others
    /// record us as `left` rather than `failed` when memberlist's word of our
    /// departure reaches them.
    public mutating func beginLeave(now: Duration) -> SerfStep {
        guard leavePhase == .none else { return finish() }
        let hasOthers = memberlist.nodes.values.contains { $0.info.name != name && $0.state == .alive }
        let deadline = now + serf.config.broadcastTimeout
        var (token, step) = memberlist.withDelegate(now: now) { serf, context in
            serf.startLeaving(context: &context, announce: hasOthers)
        }
        if let token {
            leavePhase = .intent(token: token, deadline: deadline)
        } else {
            step.append(memberlist.leave(now: now))
            leavePhase = .memberlist(deadline: deadline)
        }
        advanceLeave(now: now, into: &step)
        return finish(step)
    }

    mutating func advanceLeave(now: Duration, into step: inout MemberlistStep) {
        switch leavePhase {
        case .intent(let token, let deadline):
            if memberlist.delegate.intentFinished(token) || now >= deadline {
                step.append(memberlist.leave(now: now))
                leavePhase = .memberlist(deadline: now + serf.config.broadcastTimeout)
                advanceLeave(now: now, into: &step)
            }
        case .memberlist(let deadline):
            if memberlist.leaveBroadcastDone() || now >= deadline {
                leavePhase = .propagating(until: now + serf.config.leavePropagateDelay)
            }
        case .propagating(let until):
            if now >= until {
                leavePhase = .done
                memberlist.delegate.lifecycle = .left
            }
        case .none, .done:
            break
        }
    }
}

extension SerfCore {
    /// Marks us leaving and queues our leave intent; returns the token to
    /// wait for, or nil when there is nobody to tell.
    mutating func startLeaving(context: inout DelegateContext, announce: Bool) -> Int? {
        lifecycle = .leaving
        let intent = LeaveIntent(ltime: clock.time, node: config.nodeName, prune: false)
        clock.increment()
        _ = handleLeaveIntent(intent, context: &context)
        guard announce else { return nil }
        let t = token()
        intentQueue.enqueue(SerfMessage.leave(intent).encoded(), token: t)
        return t
    }

    mutating func intentFinished(_ token: Int) -> Bool {
        finishedIntents.formUnion(intentQueue.collectFinished())
        return finishedIntents.contains(token)
    }
}
