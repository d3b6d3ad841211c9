/// One character cell of the screen.
public struct Cell: Sendable, Hashable {
    public var character: Character
    public var role: StyleRole
    /// The right half of a double-width character: drawn by its left half.
    public var isContinuation = false

    public init(_ character: Character = " ", _ role: StyleRole = .normal) {
        self.character = character
        self.role = role
    }

    public static let blank = Cell()
}

/// What a frame looks like: a grid of cells, rendered by pure views and
/// drawn by a Screen (ncurses, or memory in tests).
public struct CellGrid: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` from (x, y), clipped to `maxWidth` columns and the grid.
    /// Returns the number of columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: StyleRole, maxWidth: Int? = nil) -> Int {
        guard y >= 0 && y < height else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var col = x
        // Borders, sparklines and plain text: one cell per scalar, without
        // grapheme breaking.
        if text.unicodeScalars.allSatisfy({ Character.isPlainNarrow($0.value) }) {
            var characters = ShownCharacters()
            for scalar in text.unicodeScalars {
                guard col < limit else { break }
                if col >= 0 { self[col, y] = Cell(characters[scalar], role) }
                col += 1
            }
            return col - x
        }
        for var ch in text {
            // A character a terminal would obey, or draw as nothing, is a
            // visible "?": a name with an invisible one must not look like
            // a name without.
            // Checked once: `columns` would check a non-ASCII character again.
            let obeyed = ch.unicodeScalars.contains(where: TerminalText.isObeyed)
            if obeyed { ch = "?" }
            let w = obeyed ? 1 : ch.columns
            if w == 0 { continue }
            guard col + w <= limit else { break }
            if col >= 0 {
                self[col, y] = Cell(ch, role)
                if w == 2 { var c = Cell(" ", role); c.isContinuation = true; self[col + 1, y] = c }
            }
            col += w
        }
        return col - x
    }

    /// Writes `text` in a field of `width` columns from (x, y): cut to it
    /// with `ellipsis` when longer, padded with spaces when shorter (on the
    /// left when `rightAligned`). The same cells as
    /// `put(text.truncated(to: width, ellipsis: ellipsis).padded(to: width, right: rightAligned), ...)`:
    /// a table writes each of its cells this way every frame, and text that
    /// fits, almost all of it, needs neither string built.
    public mutating func put(_ text: String, x: Int, y: Int, role: StyleRole, width: Int, ellipsis: String, rightAligned: Bool) {
        guard y >= 0 && y < height else { return }
        var count = 0
        for scalar in text.unicodeScalars {
            guard Character.isPlainNarrow(scalar.value), count < width else {
                put(text.truncated(to: width, ellipsis: ellipsis).padded(to: width, right: rightAligned), x: x, y: y, role: role)
                return
            }
            count += 1
        }
        let limit = min(self.width, x + self.width)
        var col = x
        var characters = ShownCharacters()
        func write(_ scalar: Unicode.Scalar) {
            if col >= 0 && col < limit { self[col, y] = Cell(characters[scalar], role) }
            col += 1
        }
        let pad = max(0, width - count)
        if rightAligned { for _ in 0 ..< pad { write(" ") } }
        for scalar in text.unicodeScalars { write(scalar) }
        if !rightAligned { for _ in 0 ..< pad { write(" ") } }
    }

    /// Text from the network (member names, tags) is shown, never obeyed: a
    /// newline or an escape drawn as such would move the cursor or restyle
    /// the terminal.
    static func shown(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        TerminalText.isObeyed(scalar) ? "?" : scalar
    }

    /// The Character a cell shows for a plain narrow scalar. Making a
    /// Character is the dearest part of writing a cell, and a frame writes
    /// thousands: ASCII ones are made once, and others once per run of the
    /// same scalar (padding, rules, a flat stretch of sparkline).
    struct ShownCharacters {
        private static let ascii = (0 ..< 0x80).map { Character(CellGrid.shown(Unicode.Scalar(UInt8($0)))) }
        private var last: Unicode.Scalar = "?"
        private var character: Character = "?"

        subscript(_ scalar: Unicode.Scalar) -> Character {
            mutating get {
                if scalar.value < 0x80 { return Self.ascii[Int(scalar.value)] }
                if scalar != last {
                    last = scalar
                    character = Character(CellGrid.shown(scalar))
                }
                return character
            }
        }
    }

    /// Fills a rectangle with `character` in `role`.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, role: StyleRole, character: Character = " ") {
        for row in max(0, y) ..< min(height, y + h) {
            for col in max(0, x) ..< min(width, x + w) { self[col, row] = Cell(character, role) }
        }
    }

    /// Changes the role of a rectangle's cells, keeping their characters.
    public mutating func restyle(x: Int, y: Int, width w: Int, height h: Int, role: StyleRole) {
        for row in max(0, y) ..< min(height, y + h) {
            for col in max(0, x) ..< min(width, x + w) { self[col, row].role = role }
        }
    }

    /// The text of one line (for tests and logs).
    public func line(_ y: Int) -> String {
        var s = ""
        for x in 0 ..< width where !self[x, y].isContinuation { s.append(self[x, y].character) }
        return s
    }

    /// The whole frame as text, trailing spaces trimmed.
    public var text: String {
        (0 ..< height).map { y in
            var l = line(y)
            while l.last == " " { l.removeLast() }
            return l
        }.joined(separator: "\n")
    }
}

extension Character {
    /// Terminal columns this character takes: 2 for East Asian wide and
    /// most emoji, 0 for combining marks, else 1.
    public var columns: Int {
        guard let scalar = unicodeScalars.first else { return 0 }
        let v = scalar.value
        if Self.isPlainNarrow(v) { return 1 }
        // Drawn as "?" (CellGrid.put), one column.
        if unicodeScalars.contains(where: TerminalText.isObeyed) { return 1 }
        if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .enclosingMark { return 0 }
        if (0x1100 ... 0x115F).contains(v) || (0x2E80 ... 0xA4CF).contains(v) || (0xAC00 ... 0xD7A3).contains(v)
            || (0xF900 ... 0xFAFF).contains(v) || (0xFE30 ... 0xFE4F).contains(v) || (0xFF00 ... 0xFF60).contains(v)
            || (0xFFE0 ... 0xFFE6).contains(v) || (0x1F300 ... 0x1FAFF).contains(v) || (0x20000 ... 0x3FFFD).contains(v) {
            return 2
        }
        return 1
    }
}

extension Character {
    /// One column, never combining, no property lookup needed: below the
    /// combining marks, general punctuation, and the symbol blocks from
    /// letterlike symbols to miscellaneous symbols and arrows (box drawing,
    /// block elements and geometric shapes among them: the borders and
    /// sparklines of every frame).
    static func isPlainNarrow(_ v: UInt32) -> Bool {
        v < 0x300 || (0x2010 ... 0x20CF).contains(v) || (0x2100 ... 0x2BFF).contains(v)
    }
}

extension String {
    /// Display width in terminal columns.
    public var columns: Int {
        if utf8.allSatisfy({ $0 < 0x80 }) { return utf8.count }
        // Strings of plain narrow scalars need no grapheme breaking.
        var count = 0
        for scalar in unicodeScalars {
            guard Character.isPlainNarrow(scalar.value) else { return reduce(0) { $0 + $1.columns } }
            count += 1
        }
        return count
    }

    /// Cut to `width` columns, with an ellipsis when something was cut.
    public func truncated(to width: Int, ellipsis: String = "…") -> String {
        guard columns > width else { return self }
        guard width > 0 else { return "" }
        var out = "", used = 0
        let room = width - ellipsis.columns
        for ch in self {
            if used + ch.columns > room { break }
            out.append(ch)
            used += ch.columns
        }
        return out + ellipsis
    }

    public func padded(to width: Int, right: Bool = false) -> String {
        let pad = String(repeating: " ", count: max(0, width - columns))
        return right ? pad + self : self + pad
    }
}
