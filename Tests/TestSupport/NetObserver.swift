import Foundation

/// `serftop monitor --format json` inside a NetLab host: serftop's own gossip
/// member as an observer, and the member list it reports, rebuilt from its
/// event lines.
///
/// The monitor prints what happens after it subscribes, which is after its
/// join; what its seed told it during the join is not printed. So the
/// observer joins a seed that is alone, starts from "the seed is alive", and
/// everyone else joins after it.
public final class NetObserver: @unchecked Sendable {
    public struct Event: Sendable {
        public let event: String
        public let name: String
        public let status: String
        public let line: Int
    }

    public let name: String
    public let host: NetLab.Host
    public let port: UInt16
    public let daemon: Daemon
    public let seed: String
    public let advertise: String?

    public var gossipAddress: String { "\(host.address):\(port)" }
    public var reachableAddress: String { advertise ?? gossipAddress }
    public var pid: Int32 { daemon.pid }

    public init(_ lab: NetLab, name: String = "observer", on host: NetLab.Host, port: UInt16 = 7946,
                join seed: SerfAgent, advertise: String? = nil) throws {
        self.name = name
        self.host = host
        self.port = port
        self.seed = seed.name
        self.advertise = advertise
        var args = ["monitor", "--join", seed.reachableAddress, "--bind", "\(host.address):\(port)",
                    "--node", name, "--format", "json"]
        if let advertise { args += ["--advertise", advertise] }
        daemon = try lab.start("serftop-\(name)", on: host, try SerftopBinary.path(), args)
    }

    /// Every member event printed so far, in order.
    public func events() -> [Event] {
        var out: [Event] = []
        for (i, line) in daemon.log.split(separator: "\n").enumerated() where line.hasPrefix("{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let event = object["event"] as? String, event.hasPrefix("member-"),
                  let name = object["name"] as? String else { continue }
            out.append(Event(event: event, name: name, status: object["status"] as? String ?? "", line: i))
        }
        return out
    }

    /// name → status as the observer sees the cluster now (itself left out).
    public func view() -> [String: String] {
        var members = [seed: "alive"]
        for e in events() {
            if e.event == "member-reap" { members[e.name] = nil } else { members[e.name] = e.status }
        }
        members[name] = nil
        return members
    }

    public func failures(of member: String? = nil, since index: Int = 0) -> Int {
        events().dropFirst(index).filter { $0.event == "member-failed" && (member == nil || $0.name == member) }.count
    }
}

extension SerfAgent {
    /// name → status as this agent sees the cluster, `leaving` out a member.
    public func view(without leaving: String? = nil) async throws -> [String: String] {
        var out: [String: String] = [:]
        for (name, m) in try await members() where name != leaving { out[name] = m.status }
        return out
    }
}

/// Formats a member list for failure messages: "a1=alive a2=failed".
public func describe(_ view: [String: String]) -> String {
    view.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
}
