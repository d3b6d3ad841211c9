/// The bytes a terminal sends, decoded into keys. An escape sequence (CSI
/// `ESC [ … final`, SS3 `ESC O x`, X10 mouse `ESC [ M b x y`, SGR mouse
/// `ESC [ < b ; x ; y M|m`) is decoded whole or dropped whole, never read as
/// the keys it is spelled with: the `m` that ends a mouse report must not
/// ask to put a server in maintenance. A sequence cut between two reads
/// waits for its rest; only when the terminal stays quiet (`flush`) is a
/// lone ESC the Escape key, and a cut sequence dropped.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []
    /// Inside a sequence too long to be one: its bytes are dropped up to
    /// and with its final byte, however many reads that takes.
    private var skipping = false

    /// How long a lone ESC waits for the rest of a sequence. Terminals send
    /// a sequence in one write; 25 ms is also what ncurses is told.
    public static let escapeDelay: Duration = .milliseconds(25)

    /// A sequence longer than this without its final byte is garbage.
    static let maxSequence = 64

    public init() {}

    /// Whether bytes wait for the rest of a sequence.
    public var isWaiting: Bool { !pending.isEmpty || skipping }

    /// The keys in `bytes`, after what an earlier call left waiting.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Key] {
        pending.append(contentsOf: bytes)
        var keys: [Key] = []
        var i = 0
        while i < pending.count {
            if skipping {
                while i < pending.count, (0x20 ... 0x3F).contains(pending[i]) { i += 1 }
                guard i < pending.count else { break }
                skipping = false
                if (0x40 ... 0x7E).contains(pending[i]) { i += 1 }
                continue
            }
            guard let (key, used) = Self.decode(pending, from: i) else { break }
            if let key { keys.append(key) }
            if used > Self.maxSequence && (0x20 ... 0x3F).contains(pending[i + used - 1]) { skipping = true }
            i += used
        }
        pending.removeFirst(i)
        return keys
    }

    /// The terminal has been quiet for `escapeDelay`: a lone ESC is the
    /// Escape key; anything else still waiting is a cut sequence, dropped.
    public mutating func flush() -> [Key] {
        defer { pending.removeAll(); skipping = false }
        return pending == [0x1B] ? [.escape] : []
    }

    /// One key (or nothing, for a dropped sequence) and the bytes it took
    /// from `start`; nil when the bytes there are the start of something
    /// not yet complete.
    static func decode(_ b: [UInt8], from start: Int) -> (Key?, Int)? {
        let byte = b[start]
        switch byte {
        case 0x1B: return escape(b, from: start)
        case 0x03: return (.ctrlC, 1)
        case 0x0A, 0x0D: return (.enter, 1)
        case 0x09: return (.tab, 1)
        case 0x08, 0x7F: return (.backspace, 1)
        case 0x00 ..< 0x20: return (nil, 1)
        case 0x20 ..< 0x80: return (.char(Character(Unicode.Scalar(byte))), 1)
        default: return utf8(b, from: start)
        }
    }

    static func escape(_ b: [UInt8], from start: Int) -> (Key?, Int)? {
        guard start + 1 < b.count else { return nil }
        switch b[start + 1] {
        case UInt8(ascii: "["): return csi(b, from: start)
        case UInt8(ascii: "O"):
            guard start + 2 < b.count else { return nil }
            return (ss3(b[start + 2]), 3)
        default:
            // ESC before anything else: the Escape key, then that key (Esc
            // pressed just before a key; Alt, which nothing here is bound to).
            return (.escape, 1)
        }
    }

    /// `ESC [`, parameters and intermediates (0x20–0x3F), a final byte (0x40–0x7E).
    static func csi(_ b: [UInt8], from start: Int) -> (Key?, Int)? {
        let body = start + 2
        guard body < b.count else { return nil }
        if b[body] == UInt8(ascii: "M") {
            // X10 mouse: three raw bytes follow, any value from 32 up.
            guard body + 3 < b.count else { return nil }
            return (mouse(button: Int(b[body + 1]) - 32, x: Int(b[body + 2]) - 33, y: Int(b[body + 3]) - 33, press: true), 6)
        }
        var j = body
        while j < b.count, (0x20 ... 0x3F).contains(b[j]) {
            j += 1
            // Longer than any real sequence: dropped, and the rest skipped (feed).
            if j - start > maxSequence { return (nil, j - start) }
        }
        guard j < b.count else { return nil }
        guard (0x40 ... 0x7E).contains(b[j]) else {
            // Broken off by a control byte or a new ESC: drop what came so far.
            return (nil, j - start)
        }
        let params = String(decoding: b[body ..< j], as: UTF8.self)
        return (csiKey(params: params, final: b[j]), j + 1 - start)
    }

    static func csiKey(params: String, final: UInt8) -> Key? {
        if let key = cursorKey(final) { return key }
        switch final {
        case UInt8(ascii: "M"), UInt8(ascii: "m"):
            guard params.hasPrefix("<") else { return nil }
            let sgr = params.dropFirst().split(separator: ";").compactMap { Int($0) }
            guard sgr.count == 3 else { return nil }
            return mouse(button: sgr[0], x: sgr[1] - 1, y: sgr[2] - 1, press: final == UInt8(ascii: "M"))
        case UInt8(ascii: "~"):
            switch Int(params.prefix { $0 != ";" }) ?? 0 {
            case 1, 7: return .home
            case 4, 8: return .end
            case 5: return .pageUp
            case 6: return .pageDown
            default: return nil
            }
        default: return nil
        }
    }

    static func ss3(_ final: UInt8) -> Key? {
        final == UInt8(ascii: "M") ? .enter : cursorKey(final)
    }

    /// Arrows, Home and End: the same final bytes after CSI (whatever the
    /// modifiers) and after SS3 (keypad mode).
    static func cursorKey(_ final: UInt8) -> Key? {
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        default: return nil
        }
    }

    /// A button press of the left button or the wheel; the rest (release,
    /// motion, other buttons) means nothing here.
    static func mouse(button: Int, x: Int, y: Int, press: Bool) -> Key? {
        guard press, button >= 0, button & 32 == 0, x >= 0, y >= 0 else { return nil }
        if button & 64 != 0 {
            switch button & 3 {
            case 0: return .scrollUp
            case 1: return .scrollDown
            default: return nil
            }
        }
        return button & 3 == 0 ? .click(x: x, y: y) : nil
    }

    static func utf8(_ b: [UInt8], from start: Int) -> (Key?, Int)? {
        let lead = b[start]
        let length: Int
        switch lead {
        case 0xC2 ... 0xDF: length = 2
        case 0xE0 ... 0xEF: length = 3
        case 0xF0 ... 0xF4: length = 4
        default: return (nil, 1)
        }
        guard start + length <= b.count else {
            // Wait for the rest, unless what came is already not UTF-8.
            let continuation = b[(start + 1)...].allSatisfy { $0 & 0xC0 == 0x80 }
            return continuation ? nil : (nil, 1)
        }
        var decoder = UTF8()
        var iterator = b[start ..< start + length].makeIterator()
        if case .scalarValue(let scalar) = decoder.decode(&iterator), scalar.value >= 0xA0 {
            return (.char(Character(scalar)), length)
        }
        return (nil, 1)
    }
}
