/// Numbers as a row of bar characters, scaled to the largest.
public enum Sparkline {
    public static func render(_ values: [Int], width: Int, glyphs: Glyphs) -> String {
        guard width > 0 else { return "" }
        let tail = values.suffix(width)
        // With nothing above zero, every value is drawn at the lowest level.
        let top = tail.max() ?? 0
        let levels = glyphs.sparkline.count
        let bars = glyphs.sparkline.map { String($0) }
        let widest = bars.map(\.utf8.count).max() ?? 0
        // The table draws one per row every frame: its UTF-8 is written in
        // place, not grown a Character at a time.
        return String(unsafeUninitializedCapacity: tail.count * widest + width - tail.count) { buffer in
            var n = 0
            for v in tail {
                let i = v <= 0 ? 0 : min(levels - 1, max(1, Int((Double(v) / Double(top) * Double(levels - 1)).rounded())))
                for byte in bars[i].utf8 {
                    buffer[n] = byte
                    n += 1
                }
            }
            for _ in tail.count ..< width {
                buffer[n] = UInt8(ascii: " ")
                n += 1
            }
            return n
        }
    }
}
