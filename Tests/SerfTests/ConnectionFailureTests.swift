import ConnectionErrors
import Glibc
import NIOCore
import Testing

/// Failures are told apart by type and errno, never by message words.
@Suite struct ConnectionFailureTests {
    @Test func errnosSayWhatHappened() {
        #expect(ConnectionFailure(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == .refused)
        #expect(ConnectionFailure(IOError(errnoCode: ETIMEDOUT, reason: "connect")) == .timedOut)
        #expect(ConnectionFailure(IOError(errnoCode: ENOENT, reason: "connect")) == .noSuchSocket)
        #expect(ConnectionFailure(IOError(errnoCode: EACCES, reason: "connect")) == .permissionDenied)
        #expect(ConnectionFailure(IOError(errnoCode: ENETUNREACH, reason: "connect")) == .unreachable)
        #expect(ConnectionFailure(ChannelError.connectTimeout(.seconds(1))) == .timedOut)
        #expect("\(ConnectionFailure(IOError(errnoCode: ECONNREFUSED, reason: "connect")))" == "connection refused")
    }

    /// A message that merely mentions a failure is not that failure.
    @Test func wordsInAMessageAreNotAnErrno() {
        struct Said: Error, CustomStringConvertible { var description = "Connection refused; timeout" }
        #expect(ConnectionFailure(Said()) == .other("Connection refused; timeout"))
    }
}
