import Foundation

extension DashboardRuntime {
    /// `x`: the frame on screen, as the operator sees it, into files; the
    /// event pane says where, or why not.
    func saveSnapshot() {
        guard let frame = lastFrame else { return note(.failure, "snapshot: nothing on screen yet") }
        // As the operator gave it: short enough for the event pane.
        let directory = settings.snapshotDirectory ?? "."
        do {
            let saved = try SnapshotFiles.write(frame, theme: theme, into: directory)
            let name = URL(fileURLWithPath: saved.text).lastPathComponent
            note(.info, "snapshot saved: \(directory == "." ? "" : directory + "/")\(name) and .svg")
        } catch {
            note(.failure, "snapshot not saved: \(error)")
        }
    }
}
