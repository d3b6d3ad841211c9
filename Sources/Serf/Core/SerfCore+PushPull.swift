import Memberlist

// Serf's part of memberlist's full-state exchange: clocks, every member's
// status time, who left, and recent events.
extension SerfCore {
    public func localState(join: Bool, context: DelegateContext) -> [UInt8] {
        let left = members.values.filter { $0.member.status == .left }.map(\.member.name).sorted()
        let state = SerfPushPull(ltime: clock.time,
                                 statusLTimes: members.mapValues(\.statusLTime),
                                 leftMembers: left,
                                 eventLTime: eventClock.time,
                                 events: eventBuffer.compactMap { $0 },
                                 queryLTime: queryClock.time)
        return SerfMessage.pushPull(state).encoded()
    }

    public mutating func mergeRemoteState(_ state: [UInt8], join: Bool, context: inout DelegateContext) {
        guard case .pushPull(let remote)? = try? SerfMessage.decode(state) else {
            outputs.append(.dropped(reason: "push/pull user state that is not Serf's"))
            return
        }
        if remote.ltime > 0 { clock.witness(remote.ltime - 1) }
        if remote.eventLTime > 0 { eventClock.witness(remote.eventLTime - 1) }
        if remote.queryLTime > 0 { queryClock.witness(remote.queryLTime - 1) }

        let left = Set(remote.leftMembers)
        for name in remote.leftMembers {
            let intent = LeaveIntent(ltime: (remote.statusLTimes[name] ?? 0) &+ 1, node: name, prune: false)
            _ = handleLeaveIntent(intent, context: &context)
        }
        for (name, ltime) in remote.statusLTimes.sorted(by: { $0.key < $1.key }) where !left.contains(name) {
            _ = handleJoinIntent(JoinIntent(ltime: ltime, node: name), now: context.now)
        }
        if join && ignoreEventsBeforeJoin {
            eventMinTime = Swift.max(eventMinTime, remote.eventLTime)
        }
        for bucket in remote.events {
            for entry in bucket.events {
                _ = handleUserEvent(UserEventMessage(ltime: bucket.ltime, name: entry.name, payload: entry.payload,
                                                     canCoalesce: false))
            }
        }
    }

    /// Serf's periodic chores: reaping, reconnecting, query deadlines.
    public mutating func tick(context: inout DelegateContext) {
        let now = context.now
        expireQueries(now: now)
        if now >= nextReapAt {
            reap(now: now)
            nextReapAt = now + config.reapInterval
        }
        if now >= nextReconnectAt {
            reconnect(context: &context)
            nextReconnectAt = now + config.reconnectInterval
        }
    }

    /// The next time `tick` has something to do.
    public var nextDeadline: Duration {
        var t = Swift.min(nextReapAt, nextReconnectAt)
        for q in outgoingQueries.values { t = Swift.min(t, q.deadline) }
        return t
    }
}
