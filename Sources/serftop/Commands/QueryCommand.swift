import Presentation
import ArgumentParser
import Foundation
import Serf
import TerminalUI

struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Join the cluster, send a query, print acks and responses as they arrive, and leave.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var gossip: GossipOptions
    @Argument(help: "The query name.") var name: String
    @Argument(help: "The payload (text).") var payload: String = ""
    @Option(name: .customLong("node"), help: "Only this node answers; repeatable.") var nodes: [String] = []
    @Option(name: .customLong("tag"), help: ArgumentHelp("Only members whose tag matches answer, k=RE; repeatable.", valueName: "k=RE"))
    var tagFilters: [String] = []
    @Option(help: "How long to wait for answers, e.g. 3s or 500ms (default: Serf's, scaled to the cluster).")
    var timeout: String?
    @Flag(name: .customLong("no-ack"), help: "Do not ask members to acknowledge.") var noAck = false
    @Option(help: "text or json.") var format: OutputFormat = .text
    @OptionGroup var actionKey: ActionKeyOptions

    mutating func run() async throws {
        try adoptConfiguration()
        var request = QueryRequest(name: name, payload: Array(payload.utf8), filterNodes: nodes, requestAck: !noAck)
        request.filterTags = try parseKeyValues(tagFilters, flag: "--tag", what: "k=RE")
        if let timeout {
            guard let d = parseDuration(timeout) else { throw ValidationError("--timeout takes a duration such as 3s or 500ms") }
            request.timeout = d
        }
        let key = try actionKey.load()
        let connection = try await ClusterConnection.open(gossip)
        var acks: [String] = []
        var responses: [(String, [UInt8])] = []
        let text = format == .text
        if text { print("Query '\(name)' dispatched") }
        do {
            for try await reply in try await connection.source.query(request, signedWith: key) {
                switch reply {
                case .ack(let from):
                    acks.append(from)
                    if text { print("Ack from '\(TerminalText.escaped(from))'") }
                case .response(let from, let payload):
                    responses.append((from, payload))
                    if text { print("Response from '\(TerminalText.escaped(from))': \(TerminalText.escaped(EventLine.printable(payload)))") }
                }
            }
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        if text {
            print("Total Acks: \(acks.count)")
            print("Total Responses: \(responses.count)")
        } else {
            var map: [String: String] = [:]
            for (from, payload) in responses { map[from] = EventLine.printable(payload) }
            print(jsonText(["Acks": acks, "Responses": map]))
        }
    }
}

/// "3s", "500ms", "1m", "2.5s".
func parseDuration(_ text: String) -> Duration? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
        guard let v = Double(text.dropLast(suffix.count)), v >= 0 else { return nil }
        return .milliseconds(Int64(v * scale * 1000))
    }
    return Double(text).map { .milliseconds(Int64($0 * 1000)) }
}
