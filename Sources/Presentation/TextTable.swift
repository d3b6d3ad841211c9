import TerminalUI

/// Rows as columns aligned by what the terminal shows: cells padded to the
/// widest in display columns (a wide character takes two, a combining mark
/// none), never cut, two spaces apart, no spaces at the end of a line.
/// Cells hold text already escaped (TerminalText).
enum TextTable {
    static func aligned(_ rows: [[String]]) -> String {
        guard let count = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.columns) } }
        return rows.map { row in
            var line = row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padded(to: widths[i]) }
                .joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
