import ArgumentParser
import Foundation
import Serf

struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "Join the cluster, print its members as `serf members` does, and leave.")

    @OptionGroup var gossip: GossipOptions
    @Option(help: "text or json.") var format: OutputFormat = .text
    @Option(help: "Only members whose status matches this regular expression.") var status: String?
    @Option(help: "Only members whose name matches this regular expression.") var name: String?
    @Option(name: .customLong("tag"), help: ArgumentHelp("Only members whose tag matches, k=RE; repeatable.", valueName: "k=RE"))
    var tagFilters: [String] = []

    func run() async throws {
        let filter = MemberListing.Filter(status: status, name: name,
                                          tags: try parseKeyValues(tagFilters, flag: "--tag", what: "k=RE"))
        let connection = try await ClusterConnection.open(gossip)
        let members: [Member]
        do {
            if case .native(let member) = connection { await settle(member) }
            members = try await connection.source.members().filter { try filter.matches($0) }
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        print(format == .json ? MemberListing.json(members) : MemberListing.text(members))
    }

    /// The join hands us the seed's whole view at once; a moment more lets
    /// alive/dead news about the others reach us. Stops at 500 ms of quiet.
    func settle(_ member: SerfMember) async {
        let start = ContinuousClock.now
        var last = await member.currentMembers
        var quietSince = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(3) {
            try? await Task.sleep(for: .milliseconds(100))
            let now = await member.currentMembers
            if now != last { last = now; quietSince = ContinuousClock.now }
            if ContinuousClock.now - quietSince >= .milliseconds(500) { return }
        }
    }
}
