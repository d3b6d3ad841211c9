/// The colours a terminal shows for the 256 colour numbers themes use, as
/// xterm defines them: pictures of the screen (SVG) have to name colours,
/// and these are the ones most terminals ship with.
public enum TerminalPalette {
    /// The 16 system colours: xterm's defaults.
    static let system: [UInt32] = [
        0x000000, 0xCD0000, 0x00CD00, 0xCDCD00, 0x0000EE, 0xCD00CD, 0x00CDCD, 0xE5E5E5,
        0x7F7F7F, 0xFF0000, 0x00FF00, 0xFFFF00, 0x5C5CFF, 0xFF00FF, 0x00FFFF, 0xFFFFFF,
    ]

    /// `#rrggbb` for a colour number 0–255.
    public static func hex(_ index: Int) -> String {
        let rgb = self.rgb(index)
        let digits = String(rgb, radix: 16)
        return "#" + String(repeating: "0", count: 6 - digits.count) + digits
    }

    static func rgb(_ index: Int) -> UInt32 {
        let i = min(max(index, 0), 255)
        if i < 16 { return system[i] }
        if i >= 232 {
            let v = UInt32(8 + (i - 232) * 10)
            return v << 16 | v << 8 | v
        }
        // The 6×6×6 cube: level 0 is black, then 95 and steps of 40.
        let levels: [UInt32] = [0, 95, 135, 175, 215, 255]
        let c = i - 16
        return levels[c / 36] << 16 | levels[c / 6 % 6] << 8 | levels[c % 6]
    }

    /// Relative brightness, 0 (black) to 1 (white).
    static func brightness(_ index: Int) -> Double {
        let v = rgb(index)
        let r = Double(v >> 16 & 0xFF), g = Double(v >> 8 & 0xFF), b = Double(v & 0xFF)
        return (0.299 * r + 0.587 * g + 0.114 * b) / 255
    }
}
