import Logging
import TerminalUI

/// Every log line of the program: swift-log's standard-error stream, with
/// the message and metadata escaped (TerminalText). Messages carry what
/// members sent (names, a query's sender, a refusal quoting a name): a
/// newline there would print a record serftop never wrote, and an escape
/// would act on the terminal that follows the log.
struct EscapingLogHandler: LogHandler {
    private var inner: StreamLogHandler

    init(label: String) { inner = .standardError(label: label) }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }
    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }
    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(TerminalText.escaped(event.message.description))"
        event.metadata = event.metadata?.mapValues { .string(TerminalText.escaped($0.description)) }
        inner.log(event: event)
    }
}
