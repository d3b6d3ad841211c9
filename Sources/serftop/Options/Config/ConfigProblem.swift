/// Why a configuration file cannot be used, and where in it.
struct ConfigProblem: Error, Equatable, CustomStringConvertible {
    var file: String
    var line: Int?
    var reason: String

    var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)" }
}
