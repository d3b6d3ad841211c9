import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import TerminalUI

/// The screen as SVG: valid XML whatever the cluster's names say, in the
/// theme's colours.
@Suite struct SVGFrameTests {
    static let hostile = "<script>&\"'"

    /// Every `<tspan>`'s text and attributes, and every `<rect>`'s fill, as an XML parser reads them.
    final class Reader: NSObject, XMLParserDelegate {
        var spans: [(attributes: [String: String], text: String)] = []
        var fills: [String] = []
        var inSpan = false

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if name == "tspan" { spans.append((attributes, "")); inSpan = true }
            if name == "rect", let fill = attributes["fill"] { fills.append(fill) }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "tspan" { inSpan = false }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inSpan { spans[spans.count - 1].text += string }
        }
    }

    func read(_ svg: String) throws -> Reader {
        let parser = XMLParser(data: Data(svg.utf8))
        let reader = Reader()
        parser.delegate = reader
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? ""): \(svg)")
        return reader
    }

    @Test func hostileTextIsEscapedAndTheDocumentParses() throws {
        var grid = CellGrid(width: 40, height: 3)
        grid.put(" serftop", x: 0, y: 0, role: .header)
        grid.put(Self.hostile, x: 2, y: 1, role: .failed)
        grid.put("]]> &amp; <!--", x: 2, y: 2, role: .normal)
        // Written around put(), which would have replaced it: the renderer
        // must hold on its own.
        grid[30, 2] = Cell("\u{1B}", .normal)
        let svg = SVGFrame.render(grid, theme: .builtIn)
        #expect(!svg.contains(Self.hostile))
        let reader = try read(svg)
        let texts = reader.spans.map(\.text)
        #expect(texts.contains(Self.hostile), "\(texts)")
        #expect(texts.contains { $0.contains("]]> &amp; <!--") && $0.hasSuffix("?") }, "the escape drawn as ?: \(texts)")
    }

    @Test func carriesTheThemesColours() throws {
        var grid = CellGrid(width: 30, height: 2)
        grid.fill(x: 0, y: 0, width: 30, height: 1, role: .header)
        grid.put(" head", x: 0, y: 0, role: .header)
        grid.put("alive", x: 1, y: 1, role: .alive)
        grid.put("failed", x: 8, y: 1, role: .failed)
        let theme = Theme.builtIn
        let reader = try read(SVGFrame.render(grid, theme: theme))
        func span(_ text: String) -> [String: String]? { reader.spans.first { $0.text == text }?.attributes }
        #expect(span("alive")?["fill"] == TerminalPalette.hex(theme.style(.alive).fg!))
        #expect(span("failed")?["fill"] == TerminalPalette.hex(theme.style(.failed).fg!))
        #expect(span("failed")?["font-weight"] == "bold")
        #expect(span("alive")?["font-weight"] == nil)
        #expect(span(" head")?["fill"] == TerminalPalette.hex(theme.style(.header).fg!))
        #expect(reader.fills.contains(TerminalPalette.hex(theme.style(.header).bg!)), "the header's background")
        // A run per style: "alive" and "failed" are apart, on their own columns.
        #expect(span("alive")?["x"] == "8.4" && span("failed")?["x"] == "67.2")
        #expect(span("failed")?["textLength"] == "50.4")
    }

    @Test func reverseSwapsTheColoursAndMonochromeHasNone() throws {
        var grid = CellGrid(width: 10, height: 1)
        grid.put("sel", x: 0, y: 0, role: .selected)
        let reader = try read(SVGFrame.render(grid, theme: .monochrome))
        let fill = reader.spans.first { $0.text == "sel" }?.attributes["fill"]
        #expect(fill == "#121212", "reverse: the default background as text colour")
        #expect(reader.fills.contains("#d0d0d0"))
    }

    @Test func wideCharactersKeepTheirTwoColumns() throws {
        var grid = CellGrid(width: 10, height: 1)
        grid.put("日本x", x: 0, y: 0, role: .normal)
        let reader = try read(SVGFrame.render(grid, theme: .builtIn))
        #expect(reader.spans.map(\.text) == ["日本x"])
        #expect(reader.spans.first?.attributes["textLength"] == "42")
    }

    @Test func paletteIsXterms() {
        #expect(TerminalPalette.hex(0) == "#000000")
        #expect(TerminalPalette.hex(9) == "#ff0000")
        #expect(TerminalPalette.hex(16) == "#000000")
        #expect(TerminalPalette.hex(24) == "#005f87")
        #expect(TerminalPalette.hex(214) == "#ffaf00")
        #expect(TerminalPalette.hex(231) == "#ffffff")
        #expect(TerminalPalette.hex(232) == "#080808")
        #expect(TerminalPalette.hex(255) == "#eeeeee")
    }
}
