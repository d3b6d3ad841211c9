import Presentation
import ArgumentParser
import Foundation
import Serf

struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "Print the cluster's members as `serf members` does, as the first --join address that answers sees them.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var gossip: GossipOptions
    @Option(help: "text or json.") var format: OutputFormat = .text
    @Option(help: "Only members whose status matches this regular expression.") var status: String?
    @Option(help: "Only members whose name matches this regular expression.") var name: String?
    @Option(name: .customLong("tag"), help: ArgumentHelp("Only members whose tag matches, k=RE; repeatable.", valueName: "k=RE"))
    var tagFilters: [String] = []

    mutating func run() async throws {
        try adoptConfiguration()
        let filter = MemberListing.Filter(status: status, name: name,
                                          tags: try parseKeyValues(tagFilters, flag: "--tag", what: "k=RE"))
        let members: [Member]
        if gossip.rpc == nil && !gossip.join.isEmpty {
            // A look needs no membership: the seed's own state is the answer.
            members = try await SerfMember.readMembers(through: gossip.join, config: try gossip.memberConfig())
        } else {
            let connection = try await ClusterConnection.open(gossip)
            do {
                members = try await connection.source.members()
            } catch {
                await connection.close()
                throw error
            }
            await connection.close()
        }
        let shown = try members.filter { try filter.matches($0) }
        print(format == .json ? MemberListing.json(shown) : MemberListing.text(shown))
    }
}
