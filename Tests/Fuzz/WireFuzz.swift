import Memberlist
import MessagePack
import Serf

/// Every decoder that reads bytes from the network, on the same input:
/// UDP packets (plain and with a keyring, compound, CRC, LZW), TCP streams
/// fed in two pieces, the Serf messages inside user messages, and msgpack.
/// Errors are expected; a crash, a hang or a sanitizer report is a bug.
enum WireFuzz {
    static let keyring = try! Keyring(keys: [[UInt8](repeating: 1, count: 16)])

    static func run(_ bytes: [UInt8]) {
        for codec in [PacketCodec(keyring: nil), PacketCodec(keyring: keyring)] {
            if let messages = try? codec.decode(bytes) {
                for case .user(let payload) in messages { _ = try? SerfMessage.decode(payload) }
            }
        }
        for keys in [nil, keyring] {
            var stream = StreamDecoder(keyring: keys)
            let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
            stream.append(Array(bytes[..<cut]))
            var budget = 64
            while budget > 0, let message = try? stream.next() {
                _ = message
                budget -= 1
                if budget == 32 { stream.append(Array(bytes[cut...])) }
            }
            stream.append(Array(bytes[cut...]))
            while budget > 0, (try? stream.next()) != nil { budget -= 1 }
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
