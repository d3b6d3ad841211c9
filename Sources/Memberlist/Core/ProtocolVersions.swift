/// The `Vsn` vector every node advertises: memberlist protocol min/max/current,
/// then the delegate's (Serf's) min/max/current.
public struct ProtocolVersions: Sendable, Hashable {
    public var protocolMin: UInt8
    public var protocolMax: UInt8
    public var protocolCur: UInt8
    public var delegateMin: UInt8
    public var delegateMax: UInt8
    public var delegateCur: UInt8

    /// What `serf agent` 0.9.4 advertises, and what we advertise.
    public static let serfAgent = ProtocolVersions(bytes: [1, 5, 2, 2, 5, 5])!

    public init?(bytes: [UInt8]) {
        // A Go peer indexes [5] whenever the vector is non-empty, so anything
        // but exactly six entries is unusable.
        guard bytes.count == 6 else { return nil }
        protocolMin = bytes[0]; protocolMax = bytes[1]; protocolCur = bytes[2]
        delegateMin = bytes[3]; delegateMax = bytes[4]; delegateCur = bytes[5]
    }

    public var bytes: [UInt8] {
        [protocolMin, protocolMax, protocolCur, delegateMin, delegateMax, delegateCur]
    }

    /// memberlist ignores an alive whose protocol range is empty or inverted.
    public var isPlausible: Bool {
        protocolMin != 0 && protocolMax != 0 && protocolMin <= protocolMax
    }
}
