import Memberlist
import MessagePack
import Testing

/// What a hostile or broken peer sends over a stream: refused early, with a
/// reason, and never held beyond the limits.
@Suite struct HostileWireTests {
    static func pushPullHeader(nodes: Int64, userState: Int64 = 0) -> [UInt8] {
        var w = MessagePackWriter(profile: .gossip)
        w.writeMapHeader(3)
        w.write("Join"); w.write(false)
        w.write("Nodes"); w.write(nodes)
        w.write("UserStateLen"); w.write(userState)
        return [MessageType.pushPull.rawValue] + w.bytes
    }

    @Test func aTwoGigabyteValueIsRefusedAsSoonAsItsHeaderArrives() throws {
        var decoder = StreamDecoder(keyring: nil)
        try decoder.append(Self.pushPullHeader(nodes: 1) + [0xc6, 0x80, 0x00, 0x00, 0x00])
        #expect(throws: WireError.tooLarge("a value in the push/pull node state", size: 1 << 31, limit: StreamCodec.maxEncryptedSize)) {
            try decoder.next()
        }
    }

    @Test func bytesPastTheLimitAreRefused() throws {
        var decoder = StreamDecoder(keyring: nil, limit: 1024)
        try decoder.append([UInt8](repeating: 0x80, count: 1000))
        #expect(throws: WireError.self) { try decoder.append([UInt8](repeating: 0x80, count: 100)) }
        #expect(decoder.bufferedBytes == 1000)
    }

    @Test func onlyAddressesThatNameOneHostAreDestinations() {
        #expect(Endpoint(ip: [10, 0, 0, 1], port: 7946).isUsableDestination)
        #expect(!Endpoint(ip: [10, 0, 0, 1], port: 0).isUsableDestination)
        #expect(!Endpoint(ip: [0, 0, 0, 0], port: 7946).isUsableDestination)
        #expect(!Endpoint(ip: [255, 255, 255, 255], port: 7946).isUsableDestination)
        #expect(!Endpoint(ip: [224, 0, 0, 1], port: 7946).isUsableDestination)
        #expect(!Endpoint(ip: [127, 0, 1], port: 7946).isUsableDestination)
        #expect(!Endpoint(ip: [UInt8](repeating: 0, count: 16), port: 7946).isUsableDestination)
        #expect(!Endpoint(ip: [0xff, 2] + [UInt8](repeating: 0, count: 14), port: 7946).isUsableDestination)
        #expect(Endpoint(ip: [0xfd] + [UInt8](repeating: 1, count: 15), port: 7946).isUsableDestination)
    }
}
