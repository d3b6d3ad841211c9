/// Text made safe to put in an XML document. Screen text comes from the
/// network (member names, tags): it must never close a tag, start an entity
/// or end an attribute, and characters XML 1.0 cannot hold at all become `?`.
public enum XMLText {
    public static func escaped(_ text: String) -> String {
        text.replacingScalars { scalar in
            switch scalar {
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            case "\"": "&quot;"
            case "'": "&apos;"
            default: isAllowed(scalar.value) ? nil : "?"
            }
        }
    }

    /// XML 1.0's Char production.
    static func isAllowed(_ v: UInt32) -> Bool {
        v == 0x9 || v == 0xA || v == 0xD || (0x20 ... 0xD7FF).contains(v) || (0xE000 ... 0xFFFD).contains(v)
            || (0x10000 ... 0x10FFFF).contains(v)
    }
}
