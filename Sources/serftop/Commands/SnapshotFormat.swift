import ArgumentParser

/// What `serftop snapshot` prints: the screen as text or SVG, or the node
/// table as JSON.
enum SnapshotFormat: String, ExpressibleByArgument, CaseIterable {
    case text, svg, json
}
