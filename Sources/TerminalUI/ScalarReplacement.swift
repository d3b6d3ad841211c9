extension StringProtocol {
    /// This text with each scalar for which `replacement` has text written
    /// as that text, the others as they are: the one loop behind every
    /// escaping of outside text (for terminals, JSON, XML).
    func replacingScalars(_ replacement: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for scalar in unicodeScalars {
            if let text = replacement(scalar) { out += text } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
