/// Decompresses Go's compress/lzw output as memberlist uses it: LSB-first
/// bit order, 8-bit literals, codes from 9 up to 12 bits, 256 = clear,
/// 257 = end. Output is capped, so a small hostile input cannot make us
/// allocate without bound.
enum LZWDecoder {
    static let clearCode = 256
    static let endCode = 257
    static let maxWidth = 12

    static func decode(_ input: [UInt8], limit: Int = 4 << 20) throws(WireError) -> [UInt8] {
        // The dictionary as a tree: each code is a previous code plus one byte.
        var prefix = [Int](repeating: -1, count: 1 << maxWidth)
        var suffix = [UInt8](repeating: 0, count: 1 << maxWidth)
        var first = [UInt8](repeating: 0, count: 1 << maxWidth)
        var length = [Int](repeating: 0, count: 1 << maxWidth)
        for i in 0 ..< 256 {
            suffix[i] = UInt8(i); first[i] = UInt8(i); length[i] = 1
        }
        var width = 9
        var nextCode = endCode + 1
        var previous = -1
        var out: [UInt8] = []
        var bitBuffer: UInt32 = 0
        var bitCount = 0
        var index = 0

        func emit(_ code: Int, into out: inout [UInt8]) {
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: length[code]))
            var c = code, i = out.count - 1
            while i >= start {
                out[i] = suffix[c]
                c = prefix[c]
                i -= 1
            }
        }

        while true {
            while bitCount < width {
                guard index < input.count else { throw .truncated("LZW data (no end code)") }
                bitBuffer |= UInt32(input[index]) << UInt32(bitCount)
                index += 1
                bitCount += 8
            }
            let code = Int(bitBuffer & ((1 << UInt32(width)) - 1))
            bitBuffer >>= UInt32(width)
            bitCount -= width

            if code == clearCode {
                width = 9
                nextCode = endCode + 1
                previous = -1
                continue
            }
            if code == endCode { return out }

            let known = code < 256 || (code > endCode && code < nextCode)
            guard known || (code == nextCode && previous >= 0) else {
                throw .malformed(message: "compressed message", field: "Buf", reason: "LZW code \(code) is not in the table")
            }
            if previous >= 0 && nextCode < (1 << maxWidth) {
                // The new entry is the previous string plus the first byte of
                // this one (for the code not yet in the table: of the previous).
                let head = known ? first[code] : first[previous]
                prefix[nextCode] = previous
                suffix[nextCode] = head
                first[nextCode] = first[previous]
                length[nextCode] = length[previous] + 1
                nextCode += 1
            }
            guard out.count + length[code] <= limit else {
                throw .tooLarge("decompressed message", size: out.count + length[code], limit: limit)
            }
            emit(code, into: &out)
            previous = code
            if nextCode >= (1 << width) {
                if width < maxWidth {
                    width += 1
                } else {
                    // The table is full: the encoder sends a clear next.
                    previous = -1
                }
            }
        }
    }
}
