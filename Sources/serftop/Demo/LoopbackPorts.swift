#if canImport(Glibc)
import Glibc
#endif

/// Free ports on 127.0.0.1 for the demo's daemons, free for both TCP and UDP
/// (gossip uses both), below the kernel's ephemeral range so that outgoing
/// connections do not take them before the daemon binds, and apart from the
/// 20000–32000 the test fixtures hand out, since both may run at once.
struct LoopbackPorts {
    private var handedOut = Set<UInt16>()

    mutating func next() -> UInt16 {
        while true {
            let port = UInt16.random(in: 10000 ... 19999)
            guard !handedOut.contains(port), Self.free(port, SOCK_STREAM), Self.free(port, SOCK_DGRAM) else { continue }
            handedOut.insert(port)
            return port
        }
    }

    private static func free(_ port: UInt16, _ type: __socket_type) -> Bool {
        let fd = socket(AF_INET, Int32(type.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
