import ArgumentParser
import Dashboard

/// A terminal size given as COLSxROWS.
struct ScreenSize: ExpressibleByArgument, Equatable {
    var columns: Int
    var rows: Int

    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let c = Int(parts[0]), let r = Int(parts[1]) else { return nil }
        self.init(columns: c, rows: r)
    }

    /// Whether the dashboard can be drawn at this size (smaller, it only says
    /// that it is too small), and is not absurdly large.
    func validate(flag: String) throws {
        let (w, h) = (DashboardLayout.minWidth, DashboardLayout.minHeight)
        guard (w ... 1000).contains(columns), (h ... 1000).contains(rows) else {
            throw ValidationError("\(flag) takes COLSxROWS from \(w)x\(h) to 1000x1000, not \(columns)x\(rows)")
        }
    }

    var defaultValueDescription: String { "\(columns)x\(rows)" }
}
