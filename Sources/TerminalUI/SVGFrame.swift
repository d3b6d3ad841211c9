/// A frame as an SVG picture in a theme's colours, as a 256-colour terminal
/// would show it: a background rectangle per run of same-coloured cells and
/// a `<tspan>` per run of same-styled text, one `<text>` per line, in a
/// monospace font. Every run is pinned to its columns (`x`, `textLength`),
/// so borders and columns line up whatever the viewer's font.
public enum SVGFrame {
    public static let cellWidth = 8.4
    public static let cellHeight = 17.0
    static let fontSize = 14.0
    /// From the top of a line to the text's baseline.
    static let baseline = 13.0

    public static func render(_ grid: CellGrid, theme: Theme) -> String {
        let colours = DefaultColours(theme)
        let width = Double(grid.width) * cellWidth, height = Double(grid.height) * cellHeight
        var out = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(number(width))" height="\(number(height))" \
        viewBox="0 0 \(number(width)) \(number(height))" font-family="monospace" font-size="\(number(fontSize))">
        <rect width="100%" height="100%" fill="\(colours.background)"/>

        """
        for y in 0 ..< grid.height {
            let looks = (0 ..< grid.width).map { Look(theme.style(grid[$0, y].role), colours) }
            for run in runs(looks, same: { $0.background == $1.background }) where looks[run.lowerBound].background != colours.background {
                out += "<rect x=\"\(number(Double(run.lowerBound) * cellWidth))\" y=\"\(number(Double(y) * cellHeight))\" "
                    + "width=\"\(number(Double(run.count) * cellWidth))\" height=\"\(number(cellHeight))\" "
                    + "fill=\"\(looks[run.lowerBound].background)\"/>\n"
            }
            var spans = ""
            for run in runs(looks, same: { $0.sameText($1) }) {
                var text = ""
                for x in run where !grid[x, y].isContinuation { text.append(grid[x, y].character) }
                while text.last == " " { text.removeLast() }
                guard !text.isEmpty else { continue }
                let look = looks[run.lowerBound]
                spans += "<tspan x=\"\(number(Double(run.lowerBound) * cellWidth))\" "
                    + "textLength=\"\(number(Double(text.columns) * cellWidth))\" lengthAdjust=\"spacingAndGlyphs\" "
                    + "fill=\"\(look.foreground)\""
                    + (look.bold ? " font-weight=\"bold\"" : "")
                    + (look.underline ? " text-decoration=\"underline\"" : "")
                    + ">\(XMLText.escaped(text))</tspan>"
            }
            if !spans.isEmpty {
                out += "<text y=\"\(number(Double(y) * cellHeight + baseline))\" xml:space=\"preserve\">\(spans)</text>\n"
            }
        }
        return out + "</svg>\n"
    }

    /// Ranges of neighbouring columns that `same` keeps together.
    static func runs(_ looks: [Look], same: (Look, Look) -> Bool) -> [Range<Int>] {
        guard !looks.isEmpty else { return [] }
        var out: [Range<Int>] = []
        var start = 0
        for x in 1 ... looks.count where x == looks.count || !same(looks[x], looks[start]) {
            if x > start { out.append(start ..< x) }
            start = x
        }
        return out
    }

    /// One decimal at most: enough for a picture, and the same on every platform.
    static func number(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(abs(tenths % 10))"
    }

    /// The terminal's own colours, where a style says "default". A theme
    /// whose normal text is dark was made for a light terminal.
    struct DefaultColours {
        let foreground: String
        let background: String

        init(_ theme: Theme) {
            let light = theme.style(.normal).fg.map { TerminalPalette.brightness($0) < 0.5 } ?? false
            foreground = light ? "#000000" : "#d0d0d0"
            background = light ? "#ffffff" : "#121212"
        }
    }

    /// What a cell looks like, colours resolved.
    struct Look: Equatable {
        let foreground: String
        let background: String
        let bold: Bool
        let underline: Bool

        init(_ style: Theme.Style, _ colours: DefaultColours) {
            var fg = style.fg.map(TerminalPalette.hex) ?? colours.foreground
            var bg = style.bg.map(TerminalPalette.hex) ?? colours.background
            if style.reverse { swap(&fg, &bg) }
            foreground = fg
            background = bg
            bold = style.bold
            underline = style.underline
        }

        func sameText(_ other: Look) -> Bool {
            foreground == other.foreground && bold == other.bold && underline == other.underline
        }
    }
}
