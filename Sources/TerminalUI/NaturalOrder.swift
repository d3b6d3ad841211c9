/// "web2" before "web10", "10.0.0.9" before "10.0.0.10", case ignored: the
/// order people expect of node names and addresses. Foundation's
/// localizedStandardCompare does this too, but builds a locale on every
/// call, which made sorting the table the dashboard's biggest cost.
public enum NaturalOrder {
    public static func less(_ a: String, _ b: String) -> Bool {
        // Sorting calls this n log n times a frame: compare the UTF-8 in
        // place rather than copying both strings into arrays.
        var a = a, b = b
        let order = a.withUTF8 { x in b.withUTF8 { y in compare(x, y) } }
        return order ?? (a < b)
    }

    /// Bytes whose plain order is the natural order of `s`, for sorting
    /// many strings: each is encoded once instead of in every comparison.
    /// Equal keys are a tie. A run of digits becomes 0x30 (below every
    /// letter, above every space and punctuation mark below "0", as the
    /// digits themselves are), its length, and its digits, leading zeros
    /// dropped; runs longer than 255 digits compare as 255 long.
    public static func key(_ s: String) -> [UInt8] {
        var s = s
        return s.withUTF8 { x in
            var out: [UInt8] = []
            out.reserveCapacity(x.count + 2)
            var i = 0
            while i < x.count {
                guard isDigit(x[i]) else {
                    out.append(lower(x[i]))
                    i += 1
                    continue
                }
                let (first, end) = number(x, i)
                out.append(0x30)
                out.append(UInt8(min(end - first, 255)))
                out.append(contentsOf: x[first ..< end])
                i = end
            }
            return out
        }
    }

    /// true or false when the natural order decides; nil on a tie (then the
    /// plain string order does, so that the order stays total).
    static func compare(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool? {
        var i = 0, j = 0
        while i < x.count && j < y.count {
            if isDigit(x[i]) && isDigit(y[j]) {
                let (si, ei) = number(x, i), (sj, ej) = number(y, j)
                let lx = ei - si, ly = ej - sj
                if lx != ly { return lx < ly }
                for k in 0 ..< lx where x[si + k] != y[sj + k] { return x[si + k] < y[sj + k] }
                i = ei
                j = ej
                continue
            }
            let cx = lower(x[i]), cy = lower(y[j])
            if cx != cy { return cx < cy }
            i += 1
            j += 1
        }
        if (x.count - i) != (y.count - j) { return (x.count - i) < (y.count - j) }
        return nil
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c + 32 : c }

    /// The digits of the run starting at `start`, leading zeros skipped; and where the run ends.
    static func number(_ s: UnsafeBufferPointer<UInt8>, _ start: Int) -> (Int, Int) {
        var end = start
        while end < s.count && isDigit(s[end]) { end += 1 }
        var first = start
        while first < end - 1 && s[first] == 0x30 { first += 1 }
        return (first, end)
    }
}
