#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

/// Why a connection failed, read from the error's type and errno, never
/// from the words of its message: the one place every client (agent RPC,
/// gossip streams, HAProxy's sockets and stats page) turns a failure into
/// something to tell the operator.
public enum ConnectionFailure: Sendable, Equatable, CustomStringConvertible {
    case refused
    case timedOut
    case reset
    case noSuchSocket
    case permissionDenied
    case unreachable
    /// Anything else, as the error says it.
    case other(String)

    public init(_ error: any Error) {
        switch error {
        case let e as IOError:
            self = Self(errno: e.errnoCode, otherwise: "\(e)")
        case let e as NIOConnectionError:
            // Every address tried: the first failure speaks for them.
            self = e.connectionErrors.first.map { Self($0.error) } ?? .other("\(e)")
        case ChannelError.connectTimeout:
            self = .timedOut
        case ChannelError.eof, ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed:
            self = .reset
        case let e as ErrnoCarrying:
            self = Self(errno: e.errnoCode, otherwise: "\(e)")
        default:
            self = .other("\(error)")
        }
    }

    init(errno code: Int32, otherwise text: String) {
        switch code {
        case ECONNREFUSED: self = .refused
        case ETIMEDOUT: self = .timedOut
        case ECONNRESET, EPIPE: self = .reset
        case ENOENT: self = .noSuchSocket
        case EACCES, EPERM: self = .permissionDenied
        case ENETUNREACH, EHOSTUNREACH: self = .unreachable
        default: self = .other(text)
        }
    }

    public var description: String {
        switch self {
        case .refused: "connection refused"
        case .timedOut: "timed out"
        case .reset: "the connection closed"
        case .noSuchSocket: "no such socket file"
        case .permissionDenied: "permission denied"
        case .unreachable: "network unreachable"
        case .other(let text): text
        }
    }
}

/// An error of ours that carries the errno of the call that failed.
public protocol ErrnoCarrying: Error {
    var errnoCode: Int32 { get }
}
