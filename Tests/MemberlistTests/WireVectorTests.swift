import Memberlist
import Testing

/// Byte-for-byte against what the real Go code (memberlist 0.2.2) emits,
/// from shared/reference/memberlist-vectors.txt.
@Suite struct WireVectorTests {
    static let self10005: [UInt8] = [10, 0, 0, 5]

    @Test func pingMatchesGo() throws {
        let full = Message.ping(Ping(seqNo: 7, node: "serf1", sourceAddr: Self.self10005, sourcePort: 7946, sourceNode: "swift1"))
        let go = hex("0085a44e6f6465a57365726631a55365714e6f07aa536f7572636541646472a40a000005aa536f757263654e6f6465a6737769667431aa536f75726365506f7274cd1f0a")
        #expect(hexString(full.encoded()) == hexString(go))
        #expect(try Message.decode(go) == full)
        let minimal = Message.ping(Ping(seqNo: 7, node: "serf1"))
        #expect(minimal.encoded() == hex("0082a44e6f6465a57365726631a55365714e6f07"))
    }

    @Test func indirectPingMatchesGo() throws {
        let m = Message.indirectPing(IndirectPingRequest(seqNo: 9, target: Self.self10005, port: 7946, node: "serf2", nack: true,
                                                         sourceAddr: Self.self10005, sourcePort: 7947, sourceNode: "swift1"))
        let go = hex("0188a44e61636bc3a44e6f6465a57365726632a4506f7274cd1f0aa55365714e6f09aa536f7572636541646472a40a000005aa536f757263654e6f6465a6737769667431aa536f75726365506f7274cd1f0ba6546172676574a40a000005")
        #expect(hexString(m.encoded()) == hexString(go))
        #expect(try Message.decode(go) == m)
    }

    @Test func smallMessagesMatchGo() throws {
        #expect(Message.ack(AckResponse(seqNo: 7, payload: [])).encoded() == hex("0282a75061796c6f6164c0a55365714e6f07"))
        #expect(try Message.decode(hex("0282a75061796c6f6164a0a55365714e6f07")) == .ack(AckResponse(seqNo: 7, payload: [])))
        #expect(Message.nack(NackResponse(seqNo: 9)).encoded() == hex("0b81a55365714e6f09"))
        #expect(Message.error(ErrorResponse(error: "boom")).encoded() == hex("0d81a54572726f72a4626f6f6d"))
        #expect(Message.suspect(Suspect(incarnation: 3, node: "swift1", from: "serf1")).encoded()
            == hex("0383a446726f6da57365726631ab496e6361726e6174696f6e03a44e6f6465a6737769667431"))
        #expect(Message.dead(Dead(incarnation: 2, node: "swift1", from: "swift1")).encoded()
            == hex("0583a446726f6da6737769667431ab496e6361726e6174696f6e02a44e6f6465a6737769667431"))
    }

    @Test func aliveMatchesGo() throws {
        let alive = Alive(incarnation: 1, node: "swift1", addr: Self.self10005, port: 7947,
                          meta: hex("ff81a4726f6c65a86f62736572766572"), vsn: [1, 5, 2, 2, 5, 4])
        let go = hex("0486a441646472a40a000005ab496e6361726e6174696f6e01a44d657461b0ff81a4726f6c65a86f62736572766572a44e6f6465a6737769667431a4506f7274cd1f0ba356736ea6010502020504")
        #expect(Message.alive(alive).encoded() == go)
        #expect(try Message.decode(go) == .alive(alive))
    }

    @Test func longNamesUseStr16NeverStr8() {
        let name = "0123456789012345678901234567890123456789"
        let bytes = Message.suspect(Suspect(incarnation: 1, node: name, from: "x")).encoded()
        #expect(bytes == hex("0383a446726f6da178ab496e6361726e6174696f6e01a44e6f6465da0028") + Array(name.utf8))
    }

    @Test func compoundAndCompressedPacketsUnwrap() throws {
        let codec = PacketCodec(keyring: nil)
        let ping = hex("0085a44e6f6465a57365726631a55365714e6f07aa536f7572636541646472a40a000005aa536f757263654e6f6465a6737769667431aa536f75726365506f7274cd1f0a")
        let alive = hex("0486a441646472a40a000005ab496e6361726e6174696f6e01a44d657461b0ff81a4726f6c65a86f62736572766572a44e6f6465a6737769667431a4506f7274cd1f0ba356736ea6010502020504")
        let compound = PacketCodec.compound([ping, alive])
        #expect(Array(compound.prefix(6)) == hex("07020044004e"))
        #expect(try codec.decode(compound).count == 2)
        // Go's compress/lzw output for the full ping.
        let compressed = hex("0982a4416c676f00a3427566da004400011422e5e40d9932a5e69491632646a92965e2143ca06aca9b3a72c6940942868c1c520a00002850f162c632050f9a9a73278d193a314a62d408e58d1c3acd3e280808")
        #expect(try codec.decode(compressed) == [try Message.decode(ping)])
    }

    @Test func truncatedCompoundPartsAreDroppedButEarlierOnesKept() throws {
        let a = Message.nack(NackResponse(seqNo: 1)).encoded(), b = Message.nack(NackResponse(seqNo: 2)).encoded()
        let packet = PacketCodec.compound([a, b])
        let cut = Array(packet.dropLast(3))
        let decoded = try PacketCodec(keyring: nil).decodeEach(cut)
        #expect(decoded.messages == [.nack(NackResponse(seqNo: 1))])
        #expect(decoded.failures == [.truncated("1 compound part(s)")])
        #expect(throws: WireError.self) { try PacketCodec(keyring: nil).decode(cut) }
    }

    @Test func aBadCompoundPartCostsOnlyThatPart() throws {
        let ack = Message.ack(AckResponse(seqNo: 9, payload: [])).encoded()
        let nack = Message.nack(NackResponse(seqNo: 3)).encoded()
        // Garbage, an unknown type and a truncated map beside two good parts.
        let packet = PacketCodec.compound([[0x02, 0xc1, 0xc1], ack, [0xee], nack, [0x06, 0x83]])
        let decoded = try PacketCodec(keyring: nil).decodeEach(packet)
        #expect(decoded.messages == [.ack(AckResponse(seqNo: 9, payload: [])), .nack(NackResponse(seqNo: 3))])
        #expect(decoded.failures.count == 3)
    }

    @Test func crcIsCheckedAndABadOneRefused() throws {
        let codec = PacketCodec(keyring: nil)
        let packet = try codec.encode(parts: [Message.nack(NackResponse(seqNo: 5)).encoded()], crc: true)
        #expect(packet.first == 12)
        #expect(try codec.decode(packet) == [.nack(NackResponse(seqNo: 5))])
        var broken = packet
        broken[broken.count - 1] ^= 0x01
        #expect(throws: WireError.self) { try codec.decode(broken) }
    }

    @Test func encryptedPacketsRoundTripWithEveryKeySize() throws {
        for size in [16, 24, 32] {
            let key = (0 ..< size).map { UInt8($0) }
            let codec = PacketCodec(keyring: try Keyring(keys: [key]))
            let plain = [Message.ping(Ping(seqNo: 1, node: "x")).encoded()]
            let sealed = try codec.encode(parts: plain, crc: false)
            #expect(sealed.count == plain[0].count + Keyring.packetOverhead)
            #expect(sealed.first == 1)
            #expect(try codec.decode(sealed) == [.ping(Ping(seqNo: 1, node: "x"))])
            let other = PacketCodec(keyring: try Keyring(keys: [Array(repeating: 9, count: size)]))
            #expect(throws: WireError.self) { try other.decode(sealed) }
        }
        #expect(throws: WireError.self) { try Keyring(keys: [[1, 2, 3]]) }
    }

    @Test func goEncryptedPacketOpensWithItsKey() throws {
        // Sealed by Go's memberlist (version 1, empty AAD) with sixteen 0x01 bytes.
        let sealed = hex("014def0bea6a7bf75f4380ef90c3f7b4bb57f208e6ff5069122564fd4d08dac254c5d8197f71c887feea5edd854cfeee3036b47abae16563467c946351f2b7da83b44f75ce9a580cef4c014abfd9dc426a5528f66e4b1c1f0d748d2c3605a2f609")
        let codec = PacketCodec(keyring: try Keyring(keys: [Array(repeating: 0, count: 16), Array(repeating: 1, count: 16)]))
        #expect(try codec.decode(sealed) == [.ping(Ping(seqNo: 7, node: "serf1", sourceAddr: Self.self10005, sourcePort: 7946, sourceNode: "swift1"))])
        let wrong = try Keyring(keys: [Array(repeating: 0, count: 16)])
        #expect(throws: WireError.self) { try wrong.open(sealed) }
    }

    @Test func pushPullStreamMatchesGoAndParsesIncrementally() throws {
        let go = hex("0683a44a6f696ec3a54e6f64657301ac5573657253746174654c656e03 87a441646472a40a000005ab496e6361726e6174696f6e01a44d657461b0ff81a4726f6c65a86f62736572766572a44e616d65a6737769667431a4506f7274cd1f0ba5537461746500a356736ea6010502020504 028080")
        let state = PushNodeState(name: "swift1", addr: Self.self10005, port: 7947, meta: hex("ff81a4726f6c65a86f62736572766572"),
                                  incarnation: 1, state: .alive, vsn: [1, 5, 2, 2, 5, 4])
        let message = StreamMessage.pushPull(PushPull(join: true, nodes: [state], userState: hex("028080")))
        #expect(try StreamCodec(keyring: nil).encode(message) == go)
        var decoder = StreamDecoder(keyring: nil)
        for (i, byte) in go.enumerated() {
            try decoder.append([byte])
            let result = try decoder.next()
            if i < go.count - 1 { #expect(result == nil, "complete after only \(i + 1) bytes") } else { #expect(result == message) }
        }
    }

    @Test func encryptedStreamsRoundTripAndPlaintextIsRefused() throws {
        let ring = try Keyring(keys: [Array(repeating: 7, count: 32)])
        let codec = StreamCodec(keyring: ring)
        let message = StreamMessage.ping(Ping(seqNo: 4, node: "a"))
        let bytes = try codec.encode(message)
        #expect(bytes.first == 10)
        var d = codec.decoder()
        try d.append(bytes)
        #expect(try d.next() == message)
        var plain = codec.decoder()
        try plain.append(try StreamCodec(keyring: nil).encode(message))
        #expect(throws: WireError.encryptionExpected) { try plain.next() }
        var unkeyed = StreamDecoder(keyring: nil)
        try unkeyed.append(bytes)
        #expect(throws: WireError.encryptionNotConfigured) { try unkeyed.next() }
    }

    @Test func userMessageStreamMatchesGo() throws {
        let go = hex("0881aa557365724d73674c656e02 aabb")
        #expect(try StreamCodec(keyring: nil).encode(.user([0xaa, 0xbb])) == go)
        var d = StreamDecoder(keyring: nil)
        try d.append(go)
        #expect(try d.next() == .user([0xaa, 0xbb]))
    }

    @Test func hostileStreamHeadersAreRefusedNotAllocated() throws {
        // A push/pull header that claims a billion nodes.
        var d = StreamDecoder(keyring: nil)
        try d.append(hex("0683a44a6f696ec3a54e6f646573ce3b9aca00ac5573657253746174654c656e00"))
        #expect(throws: WireError.self) { try d.next() }
        var big = StreamDecoder(keyring: try! Keyring(keys: [Array(repeating: 1, count: 16)]))
        try big.append([10, 0x7f, 0xff, 0xff, 0xff])
        #expect(throws: WireError.self) { try big.next() }
    }

    @Test func garbageIsAnErrorNeverACrash() {
        let codec = PacketCodec(keyring: nil)
        for bytes: [UInt8] in [[], [0xff], [7, 200], [9, 0x81], [12, 1, 2], [0, 0xc1], [4, 0x86, 0xa4]] {
            #expect(throws: WireError.self) { try codec.decode(bytes) }
        }
    }
}
