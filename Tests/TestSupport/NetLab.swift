import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Hosts on real links: one network namespace per host, each with a veth
/// into a bridge that lives in its own namespace. The root namespace gets no
/// address on any of it, so traffic from the tests can only ever reach
/// loopback and the lab's own namespaces.
///
/// Host `i` is 10.77.N.(10+i) on `eth0`, with a second address
/// 10.77.N.(110+i) on the same link for a relay in front of it (see
/// `relay`). One /24 per lab, so labs never share an address.
///
/// Namespace names start with `stl<pid>-`, so a run only ever deletes its own,
/// plus those of runs whose process is gone (left behind by a crash).
public final class NetLab: @unchecked Sendable {
    public struct Host: Sendable, CustomStringConvertible {
        public let index: Int
        public let namespace: String
        public let address: String
        public let relayAddress: String
        /// The host's end of the veth pair; the bridge's end is `v<index>`.
        public let device = "eth0"
        public var description: String { "h\(index) (\(address))" }
    }

    public struct CommandFailed: Error, CustomStringConvertible {
        public let command: String
        public let output: String
        public var description: String {
            "`\(command)` failed: \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
                + " (real-network tests need root and network namespaces; they do not skip without them)"
        }
    }

    public static let runPrefix = "stl\(getpid())"
    public let prefix: String
    public let subnet: Int
    public let bridgeNamespace: String
    public let hosts: [Host]
    private let lock = NSLock()
    private var daemons: [Daemon] = []
    private var closed = false

    /// `subnet` picks 10.77.`subnet`.0/24; `tag` makes the names readable.
    public static func create(_ tag: String, subnet: Int, hosts count: Int) async throws -> NetLab {
        precondition((1 ... 254).contains(subnet) && (1 ... 90).contains(count))
        let prefix = "\(runPrefix)-\(tag)"
        try await removeLeftovers(ownPrefix: prefix)
        let lab = NetLab(prefix: prefix, subnet: subnet, count: count)
        do {
            try await lab.build()
        } catch {
            lab.close()
            throw error
        }
        return lab
    }

    private init(prefix: String, subnet: Int, count: Int) {
        self.prefix = prefix
        self.subnet = subnet
        bridgeNamespace = "\(prefix)-br"
        hosts = (0 ..< count).map { i in
            Host(index: i, namespace: "\(prefix)-h\(i)", address: "10.77.\(subnet).\(10 + i)",
                 relayAddress: "10.77.\(subnet).\(110 + i)")
        }
    }

    private func build() async throws {
        try await Self.ip(["netns", "add", bridgeNamespace])
        // br1 is the far side of a partition: hosts moved there reach each other, not the rest.
        for bridge in ["br0", "br1"] {
            try await Self.ip(["-n", bridgeNamespace, "link", "add", bridge, "type", "bridge"])
            try await Self.ip(["-n", bridgeNamespace, "link", "set", bridge, "up"])
        }
        for h in hosts {
            try await Self.ip(["netns", "add", h.namespace])
            try await Self.ip(["link", "add", h.device, "netns", h.namespace, "type", "veth",
                               "peer", "name", "v\(h.index)", "netns", bridgeNamespace])
            try await Self.ip(["-n", h.namespace, "addr", "add", "\(h.address)/24", "dev", h.device])
            try await Self.ip(["-n", h.namespace, "addr", "add", "\(h.relayAddress)/24", "dev", h.device])
            try await Self.ip(["-n", h.namespace, "link", "set", "lo", "up"])
            try await Self.ip(["-n", h.namespace, "link", "set", h.device, "up"])
            try await Self.ip(["-n", bridgeNamespace, "link", "set", "v\(h.index)", "master", "br0", "up"])
        }
    }

    // MARK: links

    /// The host's own end goes down: its sends fail with "network is unreachable".
    public func linkDown(_ h: Host) async throws { try await Self.ip(["-n", h.namespace, "link", "set", h.device, "down"]) }
    public func linkUp(_ h: Host) async throws { try await Self.ip(["-n", h.namespace, "link", "set", h.device, "up"]) }

    /// Off the bridge: the host's link stays up, its packets go nowhere.
    public func detach(_ h: Host) async throws { try await Self.ip(["-n", bridgeNamespace, "link", "set", "v\(h.index)", "nomaster"]) }
    public func attach(_ h: Host) async throws { try await Self.ip(["-n", bridgeNamespace, "link", "set", "v\(h.index)", "master", "br0"]) }

    /// `side` reaches only itself until `heal`.
    public func partition(_ side: [Host]) async throws {
        for h in side { try await Self.ip(["-n", bridgeNamespace, "link", "set", "v\(h.index)", "master", "br1"]) }
    }
    public func heal(_ side: [Host]) async throws {
        for h in side { try await attach(h) }
    }

    // MARK: processes

    /// Starts a long-running program inside the host's namespace. `ip netns
    /// exec` execs it, so `Daemon.pid` is the program's own PID.
    public func start(_ name: String, on h: Host, _ executable: String, _ arguments: [String]) throws -> Daemon {
        let daemon = try Daemon(name, executable: "ip",
                                arguments: ["netns", "exec", h.namespace, try Tools.path(of: executable)] + arguments)
        lock.lock(); daemons.append(daemon); lock.unlock()
        return daemon
    }

    /// Runs a short command inside the host's namespace.
    @discardableResult
    public func run(on h: Host, _ tool: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await Tools.run("ip", ["netns", "exec", h.namespace, try Tools.path(of: tool)] + arguments)
    }

    /// Runs `netrelay.py COMMAND …` (ping, send, flood, stream, streams) inside the host's namespace.
    @discardableResult
    public func tool(on h: Host, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await run(on: h, "python3", [NetRelay.script] + arguments)
    }

    /// A memberlist ping from `h` to `target`; true when it is acked.
    public func ping(from h: Host, _ target: String, node: String? = nil, tries: Int = 3) async throws -> (acked: Bool, output: String) {
        var args = ["ping", "--to", target, "--tries", "\(tries)"]
        if let node { args += ["--node", node] }
        let result = try await tool(on: h, args)
        return (result.status == 0, result.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A relay on the host's relay address: UDP and TCP to `port` there go to
    /// `target` (the member's real address) with the given delay and loss.
    /// The member advertises `relayAddress:port`.
    public func relay(on h: Host, port: UInt16 = 7946, to target: String, delayMs: Double = 0, loss: Double = 0,
                      noUDP: Bool = false, dropUDPFrom: [String] = []) async throws -> Daemon {
        var args = [NetRelay.script, "relay", "--listen", "\(h.relayAddress):\(port)", "--to", target,
                    "--delay-ms", "\(delayMs)", "--loss", "\(loss)"]
        if noUDP { args.append("--no-udp") }
        for ip in dropUDPFrom { args += ["--drop-udp-from", ip] }
        let relay = try start("relay-h\(h.index)", on: h, "python3", args)
        try await eventually("the relay on \(h) to listen", timeout: 10) {
            guard relay.isRunning else { throw CommandFailed(command: "netrelay relay on \(h)", output: relay.log) }
            return relay.log.contains("ready ")
        }
        return relay
    }

    // MARK: sockets and memory

    public struct Socket: Sendable, Equatable {
        public let local: String
        public let inode: String
        public let process: String
    }

    /// The UDP socket bound to `address` (IP:PORT) in the host's namespace, if any.
    public func udpSocket(on h: Host, _ address: String) async throws -> Socket? {
        let result = try await run(on: h, "ss", ["-uanpe"])
        for line in result.output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard fields.count >= 5, fields[3] == address else { continue }
            let inode = fields.first { $0.hasPrefix("ino:") }.map { String($0.dropFirst(4)) } ?? "?"
            let process = fields.first { $0.hasPrefix("users:") } ?? ""
            return Socket(local: address, inode: inode, process: process)
        }
        return nil
    }

    /// Resident memory of a process, KiB (VmRSS).
    public static func rssKiB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    // MARK: cleanup

    /// Stops every program started here (by PID) and deletes the namespaces by name.
    public func close() {
        lock.lock()
        if closed { lock.unlock(); return }
        closed = true
        let started = daemons
        daemons.removeAll()
        lock.unlock()
        for d in started { d.stop(signal: SIGTERM, timeout: 3) }
        for ns in hosts.map(\.namespace) + [bridgeNamespace] {
            _ = try? Tools.runBlocking("ip", ["netns", "delete", ns])
        }
    }

    deinit { close() }

    @discardableResult
    static func ip(_ arguments: [String]) async throws -> String {
        let result = try await Tools.run("ip", arguments)
        guard result.status == 0 else { throw CommandFailed(command: "ip " + arguments.joined(separator: " "), output: result.output) }
        return result.output
    }

    /// Namespaces with our own prefix (a lab of this run that was not
    /// closed), and `stl<pid>-…` of runs whose process has exited, are
    /// removed, the programs still inside them first.
    static func removeLeftovers(ownPrefix: String) async throws {
        let list = try await ip(["netns", "list"])
        for line in list.split(separator: "\n") {
            guard let name = line.split(separator: " ").first.map(String.init), name.hasPrefix("stl") else { continue }
            let digits = name.dropFirst(3).prefix { $0.isNumber }
            guard let pid = Int32(digits), name.dropFirst(3 + digits.count).hasPrefix("-") else { continue }
            let ours = name.hasPrefix(ownPrefix + "-")
            let orphaned = pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
            guard ours || orphaned else { continue }
            let pids = (try? await Tools.run("ip", ["netns", "pids", name]).output) ?? ""
            for p in pids.split(separator: "\n").compactMap({ Int32($0.trimmingCharacters(in: .whitespaces)) }) {
                kill(p, SIGKILL)
            }
            _ = try? await Tools.run("ip", ["netns", "delete", name])
        }
    }
}

/// The relay and traffic tool, `Tests/NetRelay/netrelay.py`.
public enum NetRelay {
    public static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("NetRelay/netrelay.py").path
    }
}
