#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The address to advertise when bound to all interfaces: the first private
/// IPv4 address of this machine (as memberlist picks), else any non-loopback
/// IPv4, else loopback.
public func defaultAdvertiseIPv4() -> [UInt8] {
    var list: UnsafeMutablePointer<ifaddrs>?
    guard getifaddrs(&list) == 0, let first = list else { return [127, 0, 0, 1] }
    defer { freeifaddrs(list) }
    var candidates: [[UInt8]] = []
    var cursor: UnsafeMutablePointer<ifaddrs>? = first
    while let entry = cursor {
        defer { cursor = entry.pointee.ifa_next }
        guard let addr = entry.pointee.ifa_addr, addr.pointee.sa_family == sa_family_t(AF_INET) else { continue }
        let flags = Int32(entry.pointee.ifa_flags)
        guard flags & Int32(IFF_UP) != 0 else { continue }
        let ip = addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin -> [UInt8] in
            withUnsafeBytes(of: sin.pointee.sin_addr.s_addr) { Array($0) }
        }
        if ip[0] != 127 { candidates.append(ip) }
    }
    func isPrivate(_ ip: [UInt8]) -> Bool {
        ip[0] == 10 || (ip[0] == 172 && (16 ... 31).contains(ip[1])) || (ip[0] == 192 && ip[1] == 168)
    }
    return candidates.first(where: isPrivate) ?? candidates.first ?? [127, 0, 0, 1]
}
