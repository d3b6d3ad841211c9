public struct Ping: Sendable, Hashable {
    public var seqNo: UInt32
    /// The name of the node the ping is for; empty means "whoever you are".
    public var node: String
    public var sourceAddr: [UInt8]?
    public var sourcePort: UInt16?
    public var sourceNode: String?

    public init(seqNo: UInt32, node: String, sourceAddr: [UInt8]? = nil, sourcePort: UInt16? = nil, sourceNode: String? = nil) {
        self.seqNo = seqNo; self.node = node
        self.sourceAddr = sourceAddr; self.sourcePort = sourcePort; self.sourceNode = sourceNode
    }
}

public struct IndirectPingRequest: Sendable, Hashable {
    public var seqNo: UInt32
    public var target: [UInt8]
    public var port: UInt16
    public var node: String
    public var nack: Bool
    public var sourceAddr: [UInt8]?
    public var sourcePort: UInt16?
    public var sourceNode: String?

    public init(seqNo: UInt32, target: [UInt8], port: UInt16, node: String, nack: Bool,
                sourceAddr: [UInt8]? = nil, sourcePort: UInt16? = nil, sourceNode: String? = nil) {
        self.seqNo = seqNo; self.target = target; self.port = port; self.node = node; self.nack = nack
        self.sourceAddr = sourceAddr; self.sourcePort = sourcePort; self.sourceNode = sourceNode
    }
}

public struct AckResponse: Sendable, Hashable {
    public var seqNo: UInt32
    public var payload: [UInt8]
    public init(seqNo: UInt32, payload: [UInt8]) { self.seqNo = seqNo; self.payload = payload }
}

public struct NackResponse: Sendable, Hashable {
    public var seqNo: UInt32
    public init(seqNo: UInt32) { self.seqNo = seqNo }
}

public struct ErrorResponse: Sendable, Hashable {
    public var error: String
    public init(error: String) { self.error = error }
}

public struct Suspect: Sendable, Hashable {
    public var incarnation: UInt32
    public var node: String
    public var from: String
    public init(incarnation: UInt32, node: String, from: String) {
        self.incarnation = incarnation; self.node = node; self.from = from
    }
}

public struct Dead: Sendable, Hashable {
    public var incarnation: UInt32
    public var node: String
    /// Who declares it dead; the node itself means it left.
    public var from: String
    public init(incarnation: UInt32, node: String, from: String) {
        self.incarnation = incarnation; self.node = node; self.from = from
    }
}

public struct Alive: Sendable, Hashable {
    public var incarnation: UInt32
    public var node: String
    public var addr: [UInt8]
    public var port: UInt16
    public var meta: [UInt8]
    public var vsn: [UInt8]
    public init(incarnation: UInt32, node: String, addr: [UInt8], port: UInt16, meta: [UInt8], vsn: [UInt8]) {
        self.incarnation = incarnation; self.node = node; self.addr = addr; self.port = port
        self.meta = meta; self.vsn = vsn
    }
}

public enum NodeStateKind: Int, Sendable, Hashable {
    case alive = 0
    case suspect = 1
    case dead = 2
    case left = 3
}

public struct PushNodeState: Sendable, Hashable {
    public var name: String
    public var addr: [UInt8]
    public var port: UInt16
    public var meta: [UInt8]
    public var incarnation: UInt32
    public var state: NodeStateKind
    public var vsn: [UInt8]
    public init(name: String, addr: [UInt8], port: UInt16, meta: [UInt8], incarnation: UInt32,
                state: NodeStateKind, vsn: [UInt8]) {
        self.name = name; self.addr = addr; self.port = port; self.meta = meta
        self.incarnation = incarnation; self.state = state; self.vsn = vsn
    }
}

/// A whole push/pull exchange body: every node the sender knows, then the
/// delegate's (Serf's) own state.
public struct PushPull: Sendable, Hashable {
    public var join: Bool
    public var nodes: [PushNodeState]
    public var userState: [UInt8]
    public init(join: Bool, nodes: [PushNodeState], userState: [UInt8]) {
        self.join = join; self.nodes = nodes; self.userState = userState
    }
}

/// One memberlist command, after compound, compression and CRC are unwrapped.
public enum Message: Sendable, Hashable {
    case ping(Ping)
    case indirectPing(IndirectPingRequest)
    case ack(AckResponse)
    case nack(NackResponse)
    case suspect(Suspect)
    case alive(Alive)
    case dead(Dead)
    /// A message for the layer above (Serf), raw.
    case user([UInt8])
    case error(ErrorResponse)
}

/// What one TCP stream carries.
public enum StreamMessage: Sendable, Hashable {
    case pushPull(PushPull)
    case ping(Ping)
    case ack(AckResponse)
    case user([UInt8])
    case error(ErrorResponse)
}
