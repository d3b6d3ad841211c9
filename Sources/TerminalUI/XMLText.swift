/// Text made safe to put in an XML document. Screen text comes from the
/// network (member names, tags): it must never close a tag, start an entity
/// or end an attribute, and characters XML 1.0 cannot hold at all become `?`.
public enum XMLText {
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(isAllowed(scalar.value) ? scalar : "?")
            }
        }
        return out
    }

    /// XML 1.0's Char production.
    static func isAllowed(_ v: UInt32) -> Bool {
        v == 0x9 || v == 0xA || v == 0xD || (0x20 ... 0xD7FF).contains(v) || (0xE000 ... 0xFFFD).contains(v)
            || (0x10000 ... 0x10FFFF).contains(v)
    }
}
