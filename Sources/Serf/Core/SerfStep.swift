import Memberlist

/// What one input to a SerfNode asks of the shell that runs it: packets and
/// streams to send (in order), members whose status changed, Serf's events
/// and query replies, and when the node next needs a tick.
public struct SerfStep: Sendable {
    public var effects: [MemberlistEffect]
    public var statusChanges: [MemberStatusChange]
    public var outputs: [SerfOutput]
    public var nextDeadline: Duration

    public init(effects: [MemberlistEffect] = [], statusChanges: [MemberStatusChange] = [], outputs: [SerfOutput] = [],
                nextDeadline: Duration) {
        self.effects = effects
        self.statusChanges = statusChanges
        self.outputs = outputs
        self.nextDeadline = nextDeadline
    }
}
