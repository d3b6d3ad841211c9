import Memberlist
import Serf
import Testing

/// Serf messages byte-for-byte against serf 0.9.4 (shared/reference/serf-vectors.txt).
@Suite struct SerfWireVectorTests {
    func roundTrip(_ m: SerfMessage, _ go: String) throws {
        #expect(hexString(m.encoded()) == hexString(hex(go)))
        #expect(try SerfMessage.decode(hex(go)) == m)
    }

    @Test func intentsAndEvents() throws {
        try roundTrip(.join(JoinIntent(ltime: 5, node: "swift1")), "0182a54c54696d6505a44e6f6465a6737769667431")
        try roundTrip(.leave(LeaveIntent(ltime: 6, node: "swift1", prune: false)), "0083a54c54696d6506a44e6f6465a6737769667431a55072756e65c2")
        try roundTrip(.leave(LeaveIntent(ltime: 6, node: "swift1", prune: true)), "0083a54c54696d6506a44e6f6465a6737769667431a55072756e65c3")
        try roundTrip(.userEvent(UserEventMessage(ltime: 3, name: "deploy", payload: Array("v1".utf8), canCoalesce: true)),
                      "0384a24343c3a54c54696d6503a44e616d65a66465706c6f79a75061796c6f6164a27631")
    }

    @Test func queriesAndResponses() throws {
        #expect(QueryFilter.nodes(["a", "b"]).encoded() == hex("0092a161a162"))
        #expect(QueryFilter.tag(name: "role", expression: "^web$").encoded() == hex("0182a445787072a55e77656224a3546167a4726f6c65"))
        let query = QueryMessage(ltime: 2, id: 12345, addr: [10, 0, 0, 5], port: 7946, sourceNode: "serf1",
                                 filters: [.nodes(["a", "b"]), .tag(name: "role", expression: "^web$")], flags: .ack,
                                 relayFactor: 0, timeout: .seconds(5), name: "ping", payload: Array("hi".utf8))
        try roundTrip(.query(query), "048ba441646472a40a000005a746696c7465727392a60092a161a162b60182a445787072a55e77656224a3546167a4726f6c65a5466c61677301a24944cd3039a54c54696d6502a44e616d65a470696e67a75061796c6f6164a26869a4506f7274cd1f0aab52656c6179466163746f7200aa536f757263654e6f6465a57365726631a754696d656f7574cf000000012a05f200")
        let response = QueryResponseMessage(ltime: 2, id: 12345, from: "swift1", flags: [], payload: Array("pong".utf8))
        try roundTrip(.queryResponse(response), "0585a5466c61677300a446726f6da6737769667431a24944cd3039a54c54696d6502a75061796c6f6164a4706f6e67")
        try roundTrip(.queryResponse(QueryResponseMessage(ltime: 2, id: 12345, from: "swift1", flags: .ack, payload: [])),
                      "0585a5466c61677301a446726f6da6737769667431a24944cd3039a54c54696d6502a75061796c6f6164c0")
        let relay = RelayMessage(destAddr: [10, 0, 0, 5], destPort: 7946, destZone: "", destName: "serf1",
                                 inner: SerfMessage.queryResponse(response).encoded())
        try roundTrip(.relay(relay), "0982a8446573744164647283a24950a40a000005a4506f7274cd1f0aa45a6f6e65a0a8446573744e616d65a573657266310585a5466c61677300a446726f6da6737769667431a24944cd3039a54c54696d6502a75061796c6f6164a4706f6e67")
    }

    @Test func pushPullState() throws {
        try roundTrip(.pushPull(SerfPushPull(ltime: 1, statusLTimes: [:], leftMembers: [], eventLTime: 1, events: [], queryLTime: 1)),
                      "0286aa4576656e744c54696d6501a64576656e7473c0a54c54696d6501ab4c6566744d656d6265727390aa51756572794c54696d6501ac5374617475734c54696d657380")
        // Go's minimal form has nil LeftMembers; we read it as empty.
        let goMinimal = hex("0286aa4576656e744c54696d6501a64576656e7473c0a54c54696d6501ab4c6566744d656d62657273c0aa51756572794c54696d6501ac5374617475734c54696d657380")
        #expect(try SerfMessage.decode(goMinimal) == .pushPull(SerfPushPull(ltime: 1, statusLTimes: [:], leftMembers: [], eventLTime: 1, events: [], queryLTime: 1)))
    }

    @Test func tagsAndKeyPayloads() throws {
        #expect(try TagCodec.encode(["role": "observer"]) == hex("ff81a4726f6c65a86f62736572766572"))
        #expect(TagCodec.decode(hex("ff81a4726f6c65a86f62736572766572")) == ["role": "observer"])
        #expect(TagCodec.decode([]) == ["role": ""])
        #expect(TagCodec.decode(Array("web".utf8)) == ["role": "web"])
        #expect(throws: WireError.self) { try TagCodec.encode(["k": String(repeating: "v", count: 600)]) }
        #expect(KeyRequest(key: Array(repeating: 1, count: 16)).encoded() == hex("0781a34b6579b001010101010101010101010101010101"))
        let response = NodeKeyResponse(result: true, message: "", keys: ["AQEBAQEBAQEBAQEBAQEBAQ=="], primaryKey: "AQEBAQEBAQEBAQEBAQEBAQ==")
        #expect(response.encoded() == hex("0884a44b65797391b8415145424151454241514542415145424151454241513d3da74d657373616765a0aa5072696d6172794b6579b8415145424151454241514542415145424151454241513d3da6526573756c74c3"))
        #expect(try NodeKeyResponse.decode(response.encoded()) == response)
    }

    @Test func conflictResponseMatchesGo() throws {
        let go = "068ba441646472a40a000005ab44656c656761746543757204ab44656c65676174654d617805ab44656c65676174654d696e02a44e616d65a6737769667431a4506f7274cd1f0bab50726f746f636f6c43757202ab50726f746f636f6c4d617805ab50726f746f636f6c4d696e01a6537461747573"
        let member = try ConflictResponse.decode(hex(go + "01a45461677381a4726f6c65a86f62736572766572")).member
        #expect(member.name == "swift1" && member.address == "10.0.0.5" && member.port == 7947)
        #expect(member.status == .alive && member.tags == ["role": "observer"] && member.delegateCur == 4)
    }
}
