import ArgumentParser

/// Where the dashboard's `x` key saves the screen.
struct SnapshotDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("snapshot-dir"), help: ArgumentHelp("Where `x` saves the screen as text and SVG (the current directory by default).", valueName: "dir"))
    var directory: String?
}
