import Foundation

/// A theme is named by its file name without `.yaml`; a name is never a path.
enum ThemeName {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != "-" else { return false }
        return name.count <= 64 && name.unicodeScalars.allSatisfy {
            ($0.isASCII && (CharacterSet.alphanumerics.contains($0))) || $0 == "-" || $0 == "_"
        }
    }
}
