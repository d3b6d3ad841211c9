import Foundation

/// A TCP port on 127.0.0.1 that only pretends to be a service: socat runs
/// `command` for every connection, its standard output sent to the client.
/// For feeding clients what a broken or hostile peer sends.
public final class FakeServer: @unchecked Sendable {
    public let port = FreePort.next()
    let daemon: Daemon

    /// `command` runs under sh (`exec cat /dev/zero`, `exec sleep 15`).
    public init(_ command: String) async throws {
        // -t: socat would otherwise close half a second after the client's end of input.
        daemon = try Daemon("fake-server", executable: "socat",
                            arguments: ["-t", "60", "TCP-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork", "SYSTEM:\(command)"])
        let port = self.port, daemon = self.daemon
        try await eventually("socat to listen on \(port)") {
            guard daemon.isRunning else { throw Daemon.Exited(name: "fake-server", log: daemon.log) }
            return (try? await Tools.run("bash", ["-c", "exec 3<>/dev/tcp/127.0.0.1/\(port) && exec 3>&-"]).status) == 0
        }
    }

    public var address: String { "127.0.0.1:\(port)" }

    /// The listener and what it forked for connections (its process group).
    public func stop() { daemon.crash() }
}
