import BalancerContract
import Foundation
import HAProxy
import Serf
import Subprocess

/// Carries out the routes of an action and reports, line by line, how it went.
struct ActionExecutor: Sendable {
    let source: (any MembershipSource)?
    let scraper: StatsScraper
    var provisioner: Provisioner?
    /// Signs the queries that change a balancer.
    var actionKey: ActionKey?
    /// Whom the queries go to.
    var roles = ClusterRoles()

    typealias Provisioner = @Sendable (String) async -> ActionOutcome

    typealias Report = @Sendable (EventLog.Kind, String) async -> Void

    /// Returns whether every route succeeded.
    @discardableResult
    func run(_ routes: [ActionRoute], report: Report) async -> Bool {
        var ok = true
        for route in routes {
            ok = await run(route, report: report) && ok
        }
        return ok
    }

    func run(_ route: ActionRoute, report: Report) async -> Bool {
        switch route {
        case .runtimeAPI(let address, let target, let action):
            return await outcome(await ServerControl(runtimeAPI: address).apply(action, to: target), report)
        case .statsPage(let endpoint, let target, let action):
            return await outcome(await ServerControl(statsPage: endpoint, scraper: scraper).apply(action, to: target), report)
        case .masterCLI(let address):
            do {
                let result = try await MasterCLI(address: address).reload()
                await report(result.succeeded ? .reload : .failure, result.message)
                return result.succeeded
            } catch {
                await report(.failure, "reload: \(error)")
                return false
            }
        case .serfQuery(let request):
            return await query(request, report)
        case .serfQueryTo(let request, let member):
            return await query(request, report, only: member)
        case .provisionCommand(let command):
            return await provision(command, report)
        case .provisionLocal(let name):
            guard let provisioner else { await report(.failure, "nothing here can start \(name)"); return false }
            await report(.action, "starting \(name)…")
            return await outcome(await provisioner(name), report)
        case .join(let address):
            guard let source else { await report(.failure, "no gossip source to join with"); return false }
            do {
                let n = try await source.join([address])
                await report(.result, "joined \(address) (\(n) answered)")
                return true
            } catch {
                await report(.failure, "join \(address): \(error)")
                return false
            }
        case .impossible(let why):
            await report(.failure, why)
            return false
        }
    }

    func outcome(_ o: ActionOutcome, _ report: Report) async -> Bool {
        await report(o.succeeded ? .result : .failure, o.message)
        return o.succeeded
    }

    /// Asks the balancers' daemons; each answers with a BalancerReply.
    func query(_ request: BalancerRequest, _ report: Report, only member: String? = nil) async -> Bool {
        let name = request.query.name
        guard let source else { await report(.failure, "no gossip source to send '\(name)' through"); return false }
        var answered = 0, acked = 0, failed = 0
        do {
            for try await reply in try await source.query(request.queryRequest(to: roles, timeout: .seconds(8), only: member), signedWith: actionKey) {
                switch reply {
                case .ack: acked += 1
                case .response(let from, let bytes):
                    answered += 1
                    let answer = BalancerReply(decoding: bytes)
                    if !answer.succeeded { failed += 1 }
                    await report(answer.succeeded ? (request == .reload ? .reload : .result) : .failure, "\(from): \(answer)")
                }
            }
        } catch {
            await report(.failure, "\(name): \(error)")
            return false
        }
        if answered == 0 {
            await report(.failure, acked == 0 ? "no balancer answered '\(name)'" : "\(acked) balancer(s) acknowledged '\(name)' but none answered: is `serftop balancer` running there?")
            return false
        }
        return failed == 0
    }

    /// Runs the provisioning command with a shell; its output's last line is reported.
    func provision(_ command: String, _ report: Report) async -> Bool {
        do {
            let result = try await Subprocess.run(.path("/bin/sh"), arguments: ["-c", command],
                                                  output: .string(limit: 64 << 10), error: .string(limit: 64 << 10))
            let out = (result.standardOutput + result.standardError)
                .split(separator: "\n").last.map(String.init) ?? ""
            if result.terminationStatus.isSuccess {
                await report(.result, "provisioned: \(command)" + (out.isEmpty ? "" : " → \(out)"))
                return true
            }
            await report(.failure, "provisioning failed (\(result.terminationStatus)): \(out)")
            return false
        } catch {
            await report(.failure, "cannot run '\(command)': \(error)")
            return false
        }
    }
}
