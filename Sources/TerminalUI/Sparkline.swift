/// Numbers as a row of bar characters, scaled to the largest.
public enum Sparkline {
    public static func render(_ values: [Int], width: Int, glyphs: Glyphs) -> String {
        guard width > 0 else { return "" }
        let tail = values.suffix(width)
        // With nothing above zero, every value is drawn at the lowest level.
        let top = tail.max() ?? 0
        let levels = glyphs.sparkline.count
        // The table draws one per row every frame: its UTF-8 is written in
        // place from the bars' UTF-8 (bar i is bytes[ends[i - 1] ..< ends[i]]),
        // not grown a Character at a time.
        var bytes: [UInt8] = [], ends: [Int] = []
        for bar in glyphs.sparkline {
            bytes.append(contentsOf: String(bar).utf8)
            ends.append(bytes.count)
        }
        let widest = zip(ends, [0] + ends).map { $0 - $1 }.max() ?? 0
        return String(unsafeUninitializedCapacity: tail.count * widest + width - tail.count) { buffer in
            var n = 0
            for v in tail {
                let i = v <= 0 ? 0 : min(levels - 1, max(1, Int((Double(v) / Double(top) * Double(levels - 1)).rounded())))
                for k in (i == 0 ? 0 : ends[i - 1]) ..< ends[i] {
                    buffer[n] = bytes[k]
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
