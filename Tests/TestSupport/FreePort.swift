import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ports for test daemons. The kernel picks a free port for a socket bound to
/// port 0; we read it back and close the socket. A port is handed out once per
/// test process so that parallel tests never collide with each other.
public enum FreePort {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handedOut = Set<UInt16>()

    /// A port free for both TCP and UDP on 127.0.0.1 (serf and memberlist use
    /// both). Taken below the kernel's ephemeral range (32768 and up), where
    /// outgoing connections would otherwise grab it before the daemon binds.
    public static func next() -> UInt16 {
        lock.lock(); defer { lock.unlock() }
        while true {
            let port = UInt16.random(in: 20000 ... 32000)
            guard !handedOut.contains(port),
                  probe(type: Int32(SOCK_STREAM.rawValue), port: port) == port,
                  probe(type: Int32(SOCK_DGRAM.rawValue), port: port) == port else { continue }
            handedOut.insert(port)
            return port
        }
    }

    private static func probe(type: Int32, port: UInt16) -> UInt16 {
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { return 0 }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard named == 0 else { return 0 }
        return UInt16(bigEndian: addr.sin_port)
    }
}
