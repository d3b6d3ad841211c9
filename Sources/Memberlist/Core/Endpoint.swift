/// An IP address and port: where a node's UDP and TCP gossip listeners are.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 bytes (IPv6). IPv4-mapped IPv6 is folded to 4 bytes,
    /// because Go peers bound to 0.0.0.0 send that form for plain IPv4.
    public var ip: [UInt8]
    public var port: UInt16

    public init(ip: [UInt8], port: UInt16) {
        if ip.count == 16, ip[0 ..< 10].allSatisfy({ $0 == 0 }), ip[10] == 0xff, ip[11] == 0xff {
            self.ip = Array(ip[12 ..< 16])
        } else {
            self.ip = ip
        }
        self.port = port
    }

    /// Parses dotted-quad IPv4 (`10.0.0.5`) with a port.
    public init?(ipv4 text: some StringProtocol, port: UInt16) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for p in parts {
            guard let b = UInt8(p) else { return nil }
            bytes.append(b)
        }
        self.init(ip: bytes, port: port)
    }

    public var isIPv4: Bool { ip.count == 4 }

    /// Whether a packet may be sent here: a whole IPv4 or IPv6 address that
    /// names one host, and a port. Addresses from the wire are checked with
    /// this before use; the kernel would refuse the others, and a refused send
    /// must never be what takes a member off the network.
    public var isUsableDestination: Bool {
        guard port != 0 else { return false }
        switch ip.count {
        case 4:
            if ip == [0, 0, 0, 0] || ip == [255, 255, 255, 255] { return false }
            return !(224 ... 239).contains(ip[0])
        case 16:
            if ip.allSatisfy({ $0 == 0 }) { return false }
            return ip[0] != 0xff
        default:
            return false
        }
    }

    /// The address alone, as text.
    public var host: String {
        if ip.count == 4 { return ip.map(String.init).joined(separator: ".") }
        guard ip.count == 16 else { return "<invalid address of \(ip.count) bytes>" }
        var groups: [String] = []
        for i in stride(from: 0, to: 16, by: 2) {
            groups.append(String(UInt16(ip[i]) << 8 | UInt16(ip[i + 1]), radix: 16))
        }
        return groups.joined(separator: ":")
    }

    public var description: String { ip.count == 16 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
