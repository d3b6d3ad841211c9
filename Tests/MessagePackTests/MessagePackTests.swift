import Testing
@testable import MessagePack

private func hex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = s.filter { !$0.isWhitespace }.makeIterator()
    while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
    return out
}

@Suite struct MessagePackTests {
    @Test func gossipStringsNeverUseStr8() {
        var w = MessagePackWriter(profile: .gossip)
        w.write(String(repeating: "x", count: 40))
        #expect(Array(w.bytes.prefix(3)) == [0xda, 0x00, 0x28])
    }

    @Test func rpcStringsUseStr8AndBytesUseBin() {
        var w = MessagePackWriter(profile: .rpc)
        w.write("0123456789012345678901234567890123456789")
        #expect(w.bytes == hex("d928") + Array("0123456789012345678901234567890123456789".utf8))
        var b = MessagePackWriter(profile: .rpc)
        b.writeBytes([10, 0, 0, 5])
        #expect(b.bytes == hex("c4040a000005"))
        var g = MessagePackWriter(profile: .gossip)
        g.writeBytes([10, 0, 0, 5])
        #expect(g.bytes == hex("a40a000005"))
    }

    @Test func integersUseTheSmallestUnsignedForm() {
        var w = MessagePackWriter(profile: .gossip)
        w.write(Int64(5_000_000_000)) // 5 s in ns, as time.Duration
        #expect(w.bytes == hex("cf000000012a05f200"))
        var n = MessagePackWriter(profile: .gossip)
        n.write(Int64(-1)); n.write(Int64(-33)); n.write(Int64(-200)); n.write(UInt64(200)); n.write(UInt64(7946))
        #expect(n.bytes == hex("ff d0df d1ff38 ccc8 cd1f0a"))
    }

    @Test func decodesTheGoIPCHandshakeHeader() throws {
        let v = try MessagePackReader.decode(hex("82a7436f6d6d616e64a968616e647368616b65a353657100"))
        #expect(v["Command"]?.stringValue == "handshake")
        #expect(v["Seq"]?.uint64Value == 0)
        #expect(v["seq"] == nil, "keys match case-sensitively, as Go struct fields do")
    }

    @Test func roundTripsEveryKind() throws {
        let value: MessagePackValue = .array([
            .nil, .bool(true), .bool(false), .uint(0), .uint(UInt64.max), .int(-1), .int(Int64.min),
            .double(1.5), .float(2.25), .str(Array("héllo".utf8)), .bin([1, 2, 3]),
            .map(["a": .uint(1), "b": .array([])]), .ext(type: 3, data: [9, 9]),
            .str(Array(repeating: 0x41, count: 70_000)),
        ])
        for profile in [MessagePackProfile.gossip, .rpc] {
            let bytes = value.encoded(profile: profile)
            #expect(try MessagePackReader.decode(bytes) == value)
        }
    }

    @Test func bytesFieldsAcceptStrBinNilAndIntArrays() throws {
        #expect(try MessagePackReader.decode(hex("a20102")).bytesValue == [1, 2])
        #expect(try MessagePackReader.decode(hex("c4020102")).bytesValue == [1, 2])
        #expect(try MessagePackReader.decode(hex("c0")).bytesValue == [])
        #expect(try MessagePackReader.decode(hex("920102")).bytesValue == [1, 2])
        #expect(try MessagePackReader.decode(hex("92cd010001")).bytesValue == nil)
    }

    @Test func truncatedInputIsAnErrorAndLeavesTheOffset() {
        var r = MessagePackReader(hex("82a54572726f72a0a3536571"))
        #expect(throws: MessagePackError.self) { try r.read() }
        #expect(r.offset == 0)
    }

    @Test func hugeDeclaredLengthsDoNotAllocate() {
        // An array claiming 2^32-1 elements in a 5-byte packet.
        #expect(throws: MessagePackError.truncated(offset: 5)) { try MessagePackReader.decode(hex("ddffffffff")) }
        #expect(throws: MessagePackError.truncated(offset: 5)) { try MessagePackReader.decode(hex("dfffffffff")) }
        #expect(throws: MessagePackError.truncated(offset: 5)) { try MessagePackReader.decode(hex("dbffffffff")) }
    }

    @Test func deepNestingIsRefused() {
        let deep = [UInt8](repeating: 0x91, count: 100) + [0xc0]
        #expect(throws: MessagePackError.tooDeep(offset: 32)) { try MessagePackReader.decode(deep) }
    }

    @Test func readsValuesBackToBack() throws {
        // The agent RPC sends header and body with no framing between them.
        var r = MessagePackReader(hex("82a54572726f72a0a353657100 81a756657273696f6e01"))
        #expect(try r.read()["Error"]?.stringValue == "")
        #expect(try r.read()["Version"]?.uint64Value == 1)
        #expect(r.isAtEnd)
    }

    @Test func invalidByteIsNamed() {
        #expect(throws: MessagePackError.invalidByte(0xc1, offset: 0)) { try MessagePackReader.decode([0xc1]) }
    }
}
