import Foundation

/// HAProxy's master CLI (`-S socket` in master-worker mode): reloads, and
/// commands passed through to the current worker with `@1`.
public struct MasterCLI: Sendable {
    public let address: HAProxyAddress
    public var timeout: Duration = .seconds(10)

    public init(address: HAProxyAddress) { self.address = address }

    public struct ProcessState: Sendable, Equatable {
        public var masterPID: Int
        public var reloads: Int
        public var failedReloads: Int
        public var workers: [Int]
        public var version: String
    }

    /// `show proc`: the master's reload counters and the current workers.
    public func processes() async throws -> ProcessState {
        let text = try await SocketCommand.send("show proc", to: address, timeout: timeout)
        guard let state = Self.parseProcesses(text) else {
            throw HAProxyError.refused("the master CLI at \(address) answered 'show proc' with something else:\n\(text.prefix(300))")
        }
        return state
    }

    public static func parseProcesses(_ text: String) -> ProcessState? {
        var master: ProcessState?
        var section = ""
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { section = line; continue }
            let cols = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard cols.count >= 3, let pid = Int(cols[0]) else { continue }
            if cols[1] == "master" {
                var failed = 0
                if let f = line.range(of: "[failed: ") {
                    failed = Int(line[f.upperBound...].prefix { $0.isNumber }) ?? 0
                }
                master = ProcessState(masterPID: pid, reloads: Int(cols[2]) ?? 0, failedReloads: failed, workers: [],
                                      version: cols.last ?? "")
            } else if cols[1] == "worker" && section.contains("workers") && !section.contains("old") {
                master?.workers.append(pid)
            }
        }
        return master
    }

    /// Reloads, then waits for `show proc` to say how it went: the reload
    /// count rises; a failed reload also raises the failure count, and the
    /// old worker keeps serving.
    public func reload(wait: Duration = .seconds(10)) async throws -> ActionOutcome {
        let before = try await processes()
        _ = try? await SocketCommand.send("reload", to: address, timeout: .seconds(2))
        let deadline = ContinuousClock.now + wait
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            guard let after = try? await processes() else { continue }
            if after.failedReloads > before.failedReloads {
                return .refused("reload #\(after.reloads) failed: the new configuration did not start; the previous workers keep serving (see HAProxy's log or run haproxy -c)")
            }
            if after.reloads > before.reloads && !after.workers.isEmpty && after.workers != before.workers {
                return .done("reload #\(after.reloads) done: worker \(after.workers.map(String.init).joined(separator: ", ")) serving")
            }
        }
        return .refused("the reload was not confirmed within \(wait): 'show proc' still shows \(before.reloads) reloads")
    }

    /// The other way to reload: SIGUSR2 to the master process.
    public static func signalReload(masterPID: Int32) -> ActionOutcome {
        if kill(masterPID, SIGUSR2) == 0 { return .done("sent SIGUSR2 to the HAProxy master (pid \(masterPID))") }
        return .refused("cannot signal pid \(masterPID): \(String(cString: strerror(errno)))")
    }
}
