import Memberlist
import Serf
import Testing

/// `serftop members` prints a seed's push/pull state as it comes: what a
/// broken or hostile seed puts in it must be left out, never trusted.
@Suite struct SeedViewTests {
    let versions: [UInt8] = [1, 5, 2, 2, 5, 5]

    func node(_ name: String, addr: [UInt8] = [10, 0, 0, 1], vsn: [UInt8]? = nil,
              state: NodeStateKind = .alive) -> PushNodeState {
        PushNodeState(name: name, addr: addr, port: 7946, meta: [], incarnation: 1, state: state, vsn: vsn ?? versions)
    }

    func serfState(left: [String]) -> [UInt8] {
        SerfMessage.pushPull(SerfPushPull(ltime: 1, statusLTimes: [:], leftMembers: left, eventLTime: 1, events: [],
                                          queryLTime: 1)).encoded()
    }

    @Test func entriesAJoiningMemberWouldRefuseAreLeftOut() {
        let state = PushPull(join: false, nodes: [
            node("good"),
            node(""),                                       // nameless
            node("short", addr: [10, 0, 1]),                // an address of the wrong size
            node("novsn", vsn: []),                         // no version vector
            node("inverted", vsn: [5, 1, 2, 2, 5, 5]),      // min above max
            node("good", addr: [10, 9, 9, 9]),              // the same name again
        ], userState: serfState(left: []))
        let members = SeedView.members(in: state)
        #expect(members.map(\.name) == ["good"])
        #expect(members.first?.address == "10.0.0.1")
    }

    @Test func departuresAreLeftOnlyWhenSerfSaysSo() {
        let state = PushPull(join: false, nodes: [
            node("gone", state: .dead), node("crashed", state: .dead), node("doubted", state: .suspect),
        ], userState: serfState(left: ["gone"]))
        let status = Dictionary(uniqueKeysWithValues: SeedView.members(in: state).map { ($0.name, $0.status) })
        #expect(status == ["gone": .left, "crashed": .failed, "doubted": .suspect])
    }

    /// State that is not Serf's cannot say who left: every departure is a failure.
    @Test func garbageUserStateMakesNoOneLeft() {
        let state = PushPull(join: false, nodes: [node("gone", state: .left)], userState: [0xff, 0x00, 0x13])
        #expect(SeedView.members(in: state).map(\.status) == [.failed])
    }
}
