/// What one input made the core want: the effects for the shell to carry
/// out, in order, the state changes it saw, and when it next needs a tick.
/// Every input returns one, so a caller cannot leave effects behind.
public struct MemberlistStep: Sendable, Equatable {
    public var effects: [MemberlistEffect]
    public var stateChanges: [NodeStateChange]
    /// The next `tick` due (Memberlist.nextDeadline after this input).
    public var nextDeadline: Duration

    public init(effects: [MemberlistEffect] = [], stateChanges: [NodeStateChange] = [], nextDeadline: Duration) {
        self.effects = effects
        self.stateChanges = stateChanges
        self.nextDeadline = nextDeadline
    }

    /// This step followed by `later`: both effects, in order, and the later deadline.
    public mutating func append(_ later: MemberlistStep) {
        effects += later.effects
        stateChanges += later.stateChanges
        nextDeadline = later.nextDeadline
    }
}
