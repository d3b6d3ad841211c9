import HAProxy

/// Names for new nodes: the next in the backends' own series (s1, s2 → s3).
/// Only names HAProxy takes start a series: the new name becomes a server
/// and goes into the --provision command. And only those that begin with a
/// letter or a digit: a member named `-rf9` must not make the next node's
/// name an option of that command.
enum NodeNaming {
    static func next(after names: [String]) -> String {
        var best: (prefix: String, number: Int)?
        for n in names where HAProxyName.problem(n) == nil && n.first.map({ $0.isASCII && ($0.isLetter || $0.isNumber) }) == true {
            let digits = n.reversed().prefix { $0.isNumber }
            guard !digits.isEmpty, let number = Int(String(digits.reversed())) else { continue }
            let prefix = String(n.dropLast(digits.count))
            if best == nil || number > best!.number { best = (prefix, number) }
        }
        if let best {
            var candidate = best.number + 1
            while names.contains("\(best.prefix)\(candidate)") { candidate += 1 }
            return "\(best.prefix)\(candidate)"
        }
        return "web\(names.count + 1)"
    }
}
