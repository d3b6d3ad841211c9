import Logging
import TerminalUI

/// Every log line of the program: swift-log's standard-error stream, with
/// the message and all metadata escaped (TerminalText). Messages carry what
/// members sent (names, a query's sender, a refusal quoting a name): a
/// newline there would print a record serftop never wrote, and an escape
/// would act on the terminal that follows the log. The handler's own
/// metadata and its provider's are merged into each event here, escaped
/// with the rest, rather than left to the stream to print as they are.
struct EscapingLogHandler: LogHandler {
    private var inner: any LogHandler
    var metadata: Logger.Metadata = [:]
    var metadataProvider = LoggingSystem.metadataProvider

    init(label: String) { inner = StreamLogHandler.standardError(label: label, metadataProvider: nil) }

    /// Over another handler, which gets no metadata but the event's.
    init(over inner: any LogHandler) { self.inner = inner }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadataProvider?.get() ?? [:]
        all.merge(metadata) { $1 }
        all.merge(event.metadata ?? [:]) { $1 }
        var event = event
        event.message = "\(TerminalText.escaped(event.message.description))"
        event.metadata = all.isEmpty ? nil : Dictionary(uniqueKeysWithValues: all.map {
            (TerminalText.escaped($0.key), Logger.Metadata.Value.string(TerminalText.escaped($0.value.description)))
        })
        inner.log(event: event)
    }
}
