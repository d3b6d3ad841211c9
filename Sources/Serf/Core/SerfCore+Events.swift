import Memberlist

// User events: Lamport-stamped, deduplicated in a ring of recent times, and
// gossiped on to everyone.
extension SerfCore {
    /// Returns whether the event is new (and so to be gossiped on).
    mutating func handleUserEvent(_ event: UserEventMessage) -> Bool {
        eventClock.witness(event.ltime)
        guard event.ltime >= eventMinTime else { return false }
        let size = UInt64(eventBuffer.count)
        if eventClock.time > size && event.ltime < eventClock.time - size { return false }
        let slot = Int(event.ltime % size)
        let entry = UserEventEntry(name: event.name, payload: event.payload)
        var bucket = eventBuffer[slot]
        if let existing = bucket, existing.ltime == event.ltime {
            if existing.events.contains(entry) { return false }
        } else {
            bucket = UserEventBucket(ltime: event.ltime, events: [])
        }
        bucket!.events.append(entry)
        eventBuffer[slot] = bucket
        outputs.append(.event(.user(UserEvent(ltime: event.ltime, name: event.name, payload: event.payload,
                                              coalesce: event.canCoalesce))))
        return true
    }

    /// Sends a user event to the cluster (and to ourselves, as Serf does).
    public mutating func sendUserEvent(name: String, payload: [UInt8], coalesce: Bool) throws(SerfError) {
        guard lifecycle == .alive else { throw .notAlive(state: lifecycle.rawValue) }
        let size = name.utf8.count + payload.count
        guard size <= config.userEventSizeLimit else {
            throw .userEventTooLarge(size: size, limit: config.userEventSizeLimit)
        }
        let event = UserEventMessage(ltime: eventClock.time, name: name, payload: payload, canCoalesce: coalesce)
        let encoded = SerfMessage.userEvent(event).encoded()
        guard encoded.count <= config.userEventSizeLimit else {
            throw .userEventTooLarge(size: encoded.count, limit: config.userEventSizeLimit)
        }
        eventClock.increment()
        _ = handleUserEvent(event)
        eventQueue.enqueue(encoded)
    }

    /// True while our own events still wait to be gossiped.
    public var hasPendingEvents: Bool { !eventQueue.isEmpty }
}
