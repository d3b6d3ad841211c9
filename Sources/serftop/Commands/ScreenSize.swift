import ArgumentParser
import Dashboard

/// A terminal size given as COLSxROWS, at least what the dashboard needs.
struct ScreenSize: ExpressibleByArgument, Equatable {
    var columns: Int
    var rows: Int

    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let c = Int(parts[0]), let r = Int(parts[1]),
              (DashboardLayout.minWidth ... 1000).contains(c), (DashboardLayout.minHeight ... 1000).contains(r) else { return nil }
        self.init(columns: c, rows: r)
    }

    var defaultValueDescription: String { "\(columns)x\(rows)" }
}
