import Foundation
import HAProxy
import Yams

/// A scripted demo: timed steps run against the demo cluster, each announced
/// as it runs, so that every take of a recording is the same.
///
/// ```yaml
/// - after: 3            # seconds after the previous step (default 0)
///   say: three web apps behind haproxy, traffic flowing
/// - after: 5
///   add: web4           # or `add: ""` for the next free name
/// - slow: {node: web2, ms: 400}
/// - drain: web1         # also: ready, maint
/// - reload: true
/// - traffic: 80         # requests a second
/// - stop: web2          # graceful: leave, drain, then the app stops
/// - kill: web3          # SIGKILL the app and its agent
/// - pause: 5            # nothing for that long
/// ```
struct DemoScenario: Sendable, Equatable {
    enum Action: Sendable, Equatable {
        case say(String)
        case add(HAProxyName?)
        case stop(HAProxyName)
        case kill(HAProxyName)
        case slow(HAProxyName, milliseconds: Int)
        case server(ServerAction, HAProxyName)
        case reload
        case traffic(Double)
        case pause(Duration)
    }

    struct Step: Sendable, Equatable {
        var after: Duration
        var action: Action
        /// Where the step is in its file, for messages.
        var line: Int
    }

    var name: String
    var steps: [Step]

    /// The step names, in the order the help lists them.
    static let actionNames = ["say", "add", "stop", "kill", "slow", "drain", "ready", "maint", "reload", "traffic", "pause"]

    /// Parses a scenario; every error names the source and the line.
    init(yaml text: String, name: String) throws(ScenarioError) {
        self.name = name
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ScenarioError(source: name, line: Self.line(of: error), message: "not YAML: \(Self.describe(error))")
        } catch {
            throw ScenarioError(source: name, line: nil, message: "not YAML: \(error)")
        }
        guard let root, case .sequence(let list) = root else {
            throw ScenarioError(source: name, line: root.map(Self.line) ?? 1, message: "a scenario is a list of steps")
        }
        steps = []
        for item in list {
            steps.append(try Self.step(item, source: name))
        }
        guard !steps.isEmpty else { throw ScenarioError(source: name, line: 1, message: "the scenario has no steps") }
    }

    /// The scenario named (a shipped one) or a file's path.
    static func load(_ nameOrPath: String) throws(ScenarioError) -> DemoScenario {
        if let shipped = DemoTour.shipped[nameOrPath] { return try DemoScenario(yaml: shipped, name: nameOrPath) }
        let text: String
        do {
            text = try String(contentsOfFile: nameOrPath, encoding: .utf8)
        } catch {
            throw ScenarioError(source: nameOrPath, line: nil,
                                message: "cannot read it (shipped scenarios: \(DemoTour.shipped.keys.sorted().joined(separator: ", ")))")
        }
        return try DemoScenario(yaml: text, name: nameOrPath)
    }

    private static func step(_ node: Node, source: String) throws(ScenarioError) -> Step {
        let line = Self.line(node)
        func fail(_ message: String) -> ScenarioError { ScenarioError(source: source, line: line, message: message) }
        guard case .mapping(let map) = node else { throw fail("a step is a mapping such as `add: web4`") }
        var after = Duration.zero
        var actions: [(String, Node)] = []
        for (keyNode, value) in map {
            guard let key = keyNode.string else { throw fail("step keys are words") }
            if key == "after" {
                guard let seconds = value.float, seconds >= 0, seconds <= 3600 else { throw fail("after: takes seconds, 0 to 3600") }
                after = .milliseconds(Int64(seconds * 1000))
            } else if actionNames.contains(key) {
                actions.append((key, value))
            } else {
                throw fail("unknown step '\(key)' (steps: \(actionNames.joined(separator: ", ")); and after:)")
            }
        }
        guard actions.count == 1, let (key, value) = actions.first else {
            throw fail("a step does one thing: one of \(actionNames.joined(separator: ", "))")
        }
        func nodeName(_ v: Node) throws(ScenarioError) -> HAProxyName {
            guard let text = v.string, !text.isEmpty else { throw fail("\(key): takes a node name") }
            switch HAProxyName.server(forMember: text) {
            case .success(let name): return name
            case .failure(let why): throw fail("\(key): \(why)")
            }
        }
        let action: Action
        switch key {
        case "say":
            guard let text = value.string, !text.isEmpty, text.count <= 200 else { throw fail("say: takes a line of text (at most 200 characters)") }
            action = .say(text)
        case "add": action = .add(value.string.map(\.isEmpty) == true ? nil : try nodeName(value))
        case "stop": action = .stop(try nodeName(value))
        case "kill": action = .kill(try nodeName(value))
        case "slow":
            guard case .mapping(let args) = value, let target = args["node"], let ms = args["ms"]?.int, (0 ... 60_000).contains(ms) else {
                throw fail("slow: takes {node: NAME, ms: 0 to 60000}")
            }
            action = .slow(try nodeName(target), milliseconds: ms)
        case "drain": action = .server(.drain, try nodeName(value))
        case "ready": action = .server(.ready, try nodeName(value))
        case "maint": action = .server(.maint, try nodeName(value))
        case "reload": action = .reload
        case "traffic":
            guard let rate = value.float, (0 ... 10_000).contains(rate) else { throw fail("traffic: takes requests a second, 0 to 10000") }
            action = .traffic(rate)
        default: // pause
            guard let seconds = value.float, seconds >= 0, seconds <= 3600 else { throw fail("pause: takes seconds, 0 to 3600") }
            action = .pause(.milliseconds(Int64(seconds * 1000)))
        }
        return Step(after: after, action: action, line: line)
    }

    private static func line(_ node: Node) -> Int { node.mark?.line ?? 1 }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _): return problem
        default: return "\(error)"
        }
    }
}

extension DemoScenario.Action: CustomStringConvertible {
    var description: String {
        switch self {
        case .say(let text): "say: \(text)"
        case .add(let name): "add \(name?.text ?? "a web app")"
        case .stop(let name): "stop \(name) gracefully"
        case .kill(let name): "kill \(name)"
        case .slow(let name, let ms): "slow \(name) down to \(ms) ms an answer"
        case .server(let action, let name): "\(action) \(name)"
        case .reload: "reload the balancer"
        case .traffic(let rate): "traffic at \(rate.formatted(.number.precision(.fractionLength(0 ... 1)))) requests a second"
        case .pause(let d): "pause \(d.formatted(.units(allowed: [.seconds], width: .narrow)))"
        }
    }
}

/// A scenario that cannot be run, said with where.
struct ScenarioError: Error, CustomStringConvertible {
    var source: String
    var line: Int?
    var message: String
    var description: String { "\(source)\(line.map { ":\($0)" } ?? ""): \(message)" }
}
