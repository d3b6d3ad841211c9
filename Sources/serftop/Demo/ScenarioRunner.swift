import AsyncHTTPClient
import BalancerContract
import Foundation
import HAProxy
import NIOCore
import Serf

/// Runs a scenario's steps against the demo cluster, in order, each at its
/// time, and says what each did. A step that fails is reported and the
/// scenario goes on: a recording is better with a visible hiccup than cut.
struct ScenarioRunner: Sendable {
    let cluster: DemoCluster
    let traffic: DemoTraffic
    /// Where each step is announced (the event pane, or stdout when headless).
    let announce: @Sendable (String) -> Void

    func run(_ scenario: DemoScenario) async {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        await runSteps(scenario, client: client)
        try? await client.shutdown()
    }

    private func runSteps(_ scenario: DemoScenario, client: HTTPClient) async {
        let clock = ContinuousClock()
        announce("scenario \(scenario.name): \(scenario.steps.count) steps")
        for (index, step) in scenario.steps.enumerated() {
            try? await clock.sleep(for: step.after)
            guard !Task.isCancelled else { return }
            let label = "step \(index + 1)/\(scenario.steps.count): \(step.action)"
            do {
                let outcome = try await perform(step.action, client: client)
                announce(outcome.map { "\(label): \($0)" } ?? label)
            } catch {
                announce("\(label): failed: \(error)")
            }
        }
        announce("scenario done")
    }

    /// Does one step; what it adds to the announcement, if anything.
    private func perform(_ action: DemoScenario.Action, client: HTTPClient) async throws -> String? {
        switch action {
        case .say, .pause(.zero):
            return nil
        case .pause(let duration):
            try await Task.sleep(for: duration)
            return nil
        case .add(let name):
            let node = try await cluster.addNode(named: name?.text)
            return "\(node.name) on :\(node.appPort), its agent joins"
        case .stop(let name):
            try await cluster.removeNode(name.text)
            return "left, drained and stopped"
        case .kill(let name):
            _ = try await cluster.killNode(name.text)
            return "app and agent SIGKILLed"
        case .slow(let name, let ms):
            guard let node = await cluster.node(named: name.text) else { throw DemoError("no demo node named \(name)") }
            var request = HTTPClientRequest(url: node.url + "delay")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"delay":\#(ms)}"#))
            let response = try await client.execute(request, timeout: .seconds(5))
            guard response.status == .ok else { throw DemoError("\(name) answered \(response.status.code)") }
            return nil
        case .server(let serverAction, let name):
            guard let query = ServerQuery(action: serverAction, server: name) else { throw DemoError("\(serverAction) is not sent to balancers") }
            return try await ask(.server(query))
        case .reload:
            return try await ask(.reload)
        case .traffic(let rate):
            traffic.rate = rate
            return nil
        }
    }

    /// Asks the balancers through the balancer host's agent, signed with the
    /// demo's action key, as the dashboard does; their answers, joined.
    private func ask(_ request: BalancerRequest) async throws -> String {
        let endpoints = await cluster.endpoints
        let key = try ActionKey(file: endpoints.actionKey)
        let agent = try await SerfAgentClient.connect(endpoints.rpc)
        let answers = try await agent.closing {
            var answers: [String] = []
            for try await reply in try await agent.query(request.queryRequest(to: ClusterRoles(), timeout: .seconds(8)), signedWith: key) {
                if case .response(let from, let payload) = reply { answers.append("\(from): \(String(decoding: payload, as: UTF8.self))") }
            }
            return answers
        }
        guard !answers.isEmpty else { throw DemoError("no balancer answered") }
        return answers.joined(separator: "; ")
    }
}
