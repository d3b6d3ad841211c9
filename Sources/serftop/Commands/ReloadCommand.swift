import ArgumentParser
import HAProxy

struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Reload HAProxy through its master CLI and confirm that the new workers run.")

    @OptionGroup var config: ConfigOptions
    @Option(name: .customLong("haproxy-master"), help: ArgumentHelp("The master CLI socket (haproxy -S): unix:/path or tcp://HOST:PORT.", valueName: "addr"))
    var master: String?
    @Option(help: "Signal this master PID with SIGUSR2 instead (not confirmed unless --haproxy-master is given too).")
    var pid: Int32?

    mutating func run() async throws {
        try adoptConfiguration()
        let outcome: ActionOutcome
        if let master {
            guard let address = HAProxyAddress(master) else { throw ValidationError("\(HAProxyError.badAddress(master))") }
            let cli = MasterCLI(address: address)
            if let pid {
                let before = try await cli.processes()
                outcome = MasterCLI.signalReload(masterPID: pid)
                if outcome.succeeded {
                    try await Task.sleep(for: .seconds(1))
                    let after = try await cli.processes()
                    guard after.failedReloads == before.failedReloads else { throw CommandFailure("the reload failed: the old workers keep serving") }
                }
            } else {
                outcome = try await cli.reload()
            }
        } else if let pid {
            outcome = MasterCLI.signalReload(masterPID: pid)
        } else {
            throw ValidationError("say how to reach HAProxy: --haproxy-master ADDR, or --pid MASTER_PID")
        }
        guard outcome.succeeded else { throw CommandFailure(outcome.message) }
        print(outcome.message)
    }
}
