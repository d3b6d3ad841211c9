/// Numbers as a row of bar characters, scaled to the largest.
public enum Sparkline {
    public static func render(_ values: [Int], width: Int, glyphs: Glyphs) -> String {
        guard width > 0 else { return "" }
        let tail = Array(values.suffix(width))
        guard let top = tail.max(), top > 0 else {
            return String(repeating: tail.isEmpty ? " " : String(glyphs.sparkline[0]), count: tail.count)
                + String(repeating: " ", count: width - tail.count)
        }
        let levels = glyphs.sparkline.count
        var out = ""
        for v in tail {
            let i = v <= 0 ? 0 : min(levels - 1, max(1, Int((Double(v) / Double(top) * Double(levels - 1)).rounded())))
            out.append(glyphs.sparkline[i])
        }
        return out + String(repeating: " ", count: width - tail.count)
    }
}
