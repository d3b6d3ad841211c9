import Memberlist
import MessagePack
import Serf

/// Every decoder that reads bytes from the network, on the same input, and
/// then the handlers behind them: UDP packets (plain and with a keyring,
/// compound, CRC, LZW) go on into a member's packet handling, TCP streams
/// (fed in two pieces) into its stream handling, as the real member's shell
/// would pass them; plus the Serf messages inside user messages, and msgpack.
/// Errors are expected; a crash, a hang or a sanitizer report is a bug.
enum WireFuzz {
    static let keyring = try! Keyring(keys: [[UInt8](repeating: 1, count: 16)])
    static let peer = Endpoint(ip: [10, 0, 0, 2], port: 7946)

    /// One member that every input reaches, renewed now and then so that
    /// what earlier inputs taught it (members, suspicions) stays bounded.
    nonisolated(unsafe) static var member = freshMember()
    nonisolated(unsafe) static var clock = Duration.zero
    nonisolated(unsafe) static var inputs = 0

    static func freshMember() -> SerfNode {
        var node = try! SerfNode(memberlist: MemberlistConfig(name: "fuzzed", advertise: Endpoint(ip: [10, 0, 0, 1], port: 7946)),
                                 serf: SerfConfig(nodeName: "fuzzed", tags: ["role": "observer"]), now: .zero, seed: 1)
        // A known peer, so that acks, suspicions and relays have someone to be about.
        let alive = Alive(incarnation: 1, node: "peer", addr: peer.ip, port: peer.port, meta: [],
                          vsn: [1, 5, 2, 2, 5, 5])
        _ = node.receive([.alive(alive)], from: peer, now: .zero)
        return node
    }

    static func handle(_ messages: [Message]) {
        _ = member.receive(messages, from: peer, now: clock)
        settle()
    }

    static func handle(_ stream: StreamMessage) {
        _ = member.receiveStream(stream, from: peer, now: clock)
        settle()
    }

    /// Moves the clock on, so timers fire on what the input changed.
    static func settle() {
        clock += .milliseconds(50)
        _ = member.tick(now: clock)
    }

    static func run(_ bytes: [UInt8]) {
        inputs += 1
        if inputs % 5_000 == 0 {
            member = freshMember()
            clock = .zero
        }
        for codec in [PacketCodec(keyring: nil), PacketCodec(keyring: keyring)] {
            if let packet = try? codec.decodeEach(bytes) {
                for case .user(let payload) in packet.messages { _ = try? SerfMessage.decode(payload) }
                handle(packet.messages)
            }
        }
        for keys in [nil, keyring] {
            var stream = StreamDecoder(keyring: keys)
            let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
            guard (try? stream.append(bytes[..<cut])) != nil else { continue }
            if let message = try? stream.next() {
                handle(message)
                continue
            }
            guard (try? stream.append(bytes[cut...])) != nil else { continue }
            if let message = try? stream.next() { handle(message) }
        }
        _ = try? SerfMessage.decode(bytes)
        _ = try? MessagePackReader.decode(bytes)
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    WireFuzz.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// SwiftPM names an executable's entry point after its module; whichever
/// main the linker keeps ends up in libFuzzer's driver.
@_cdecl("wire_fuzz_main")
public func wireFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var args = argv
    return runFuzzerDriver(&count, &args, fuzzOne)
}
#else
import Foundation

/// Without libFuzzer: replays inputs (a corpus, or crash files) given as paths.
@main struct WireFuzzReplay {
    static func main() throws {
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            let files = isDir.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: path).map { "\(path)/\($0)" } : [path]
            for f in files {
                WireFuzz.run(Array(try Data(contentsOf: URL(fileURLWithPath: f))))
                count += 1
            }
        }
        print("replayed \(count) input(s) without a crash")
    }
}
#endif
