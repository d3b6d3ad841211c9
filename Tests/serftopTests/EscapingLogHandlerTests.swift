import Logging
import Synchronization
import Testing
@testable import serftop

/// Every log record is one line with nothing a terminal would obey,
/// whatever a member's name brings into its message or metadata.
@Suite struct EscapingLogHandlerTests {
    final class Recorder: LogHandler, @unchecked Sendable {
        let events = Mutex<[LogEvent]>([])
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { events.withLock { $0.append(event) } }
    }

    @Test func messageAndAllMetadataAreEscaped() throws {
        let recorder = Recorder()
        var logger = Logger(label: "test") { _ in EscapingLogHandler(over: recorder) }
        logger[metadataKey: "peer\n"] = "evil\u{1B}]0;x\u{07}"
        logger.info("member-join: evil\u{1B}[2J\nFAKE error", metadata: ["from": "a\u{202E}b"])
        let event = try #require(recorder.events.withLock { $0.first })
        #expect(event.message.description == #"member-join: evil\e[2J\nFAKE error"#)
        let metadata = try #require(event.metadata)
        #expect(metadata[#"peer\n"#]?.description == #"evil\e]0;x\u{7}"#)
        #expect(metadata["from"]?.description == #"a\u{202E}b"#)
        #expect(recorder.metadata.isEmpty, "the inner handler prints no metadata of its own")
    }
}
