/// What the pure core asks its shell to do. The shell performs these and
/// reports back (acks arrive as packets; stream outcomes through
/// `pushPullCompleted`/`tcpPingCompleted`).
public enum MemberlistEffect: Sendable, Equatable {
    /// Send one UDP packet. `parts` are complete encoded commands; two or more
    /// go as one compound message. `crc` asks for the CRC wrapper (the
    /// recipient understands protocol 5).
    case sendPacket(to: Endpoint, parts: [[UInt8]], crc: Bool)
    /// Open a TCP stream, send our full state, read the peer's, then hand it
    /// to `mergeRemoteState`. Periodic anti-entropy, or a reconnect attempt.
    case pushPull(to: Endpoint, join: Bool)
    /// Open a TCP stream and ping over it (the fallback probe); report the
    /// outcome with `tcpPingCompleted(seqNo:acked:)` before `deadline`.
    case tcpPing(to: Endpoint, ping: Ping, deadline: Duration)
}

extension MemberlistEffect {
    /// Where the effect goes over the network.
    public var destination: Endpoint? {
        switch self {
        case .sendPacket(let to, _, _), .pushPull(let to, _), .tcpPing(let to, _, _): return to
        }
    }
}
