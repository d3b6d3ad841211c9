import Memberlist

/// The cluster as one member's full state shows it: what `serf members` run
/// on that member prints. Reading the cluster this way takes one TCP round
/// trip and leaves no trace in it: nobody learns of a reader that joined,
/// looked and left.
public enum SeedView {
    /// The members in a push/pull answer. Entries memberlist would refuse
    /// (no name, an address of the wrong size, an unusable version vector)
    /// are left out, as a joining member leaves them out.
    public static func members(in state: PushPull) -> [Member] {
        var left: Set<String> = []
        if case .pushPull(let serf)? = try? SerfMessage.decode(state.userState) { left = Set(serf.leftMembers) }
        var seen: Set<String> = []
        var members: [Member] = []
        for node in state.nodes where !node.name.isEmpty && seen.insert(node.name).inserted {
            guard node.addr.count == 4 || node.addr.count == 16,
                  let versions = ProtocolVersions(bytes: node.vsn), versions.isPlausible else { continue }
            let endpoint = Endpoint(ip: node.addr, port: node.port)
            var member = Member(name: node.name, address: endpoint.host, port: node.port,
                                tags: TagCodec.decode(node.meta), status: status(node.state, hasLeft: left.contains(node.name)))
            SerfCore.apply(versions, to: &member)
            members.append(member)
        }
        return members.sorted { $0.name < $1.name }
    }

    /// Serf's reading of memberlist's states: a departure is `left` when the
    /// member said it was leaving, `failed` otherwise.
    static func status(_ state: NodeStateKind, hasLeft: Bool) -> MemberStatus {
        switch state {
        case .alive: .alive
        case .suspect: .suspect
        case .dead, .left: hasLeft ? .left : .failed
        }
    }
}
