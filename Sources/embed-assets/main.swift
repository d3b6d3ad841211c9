import Foundation

// embed-assets ROOT OUTPUT FILE...: writes OUTPUT, a Swift file holding each
// FILE (relative to ROOT) as base64, which any bytes survive unchanged.
let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: embed-assets ROOT OUTPUT FILE...\n".utf8))
    exit(2)
}
let root = URL(fileURLWithPath: arguments[arguments.startIndex])
let output = URL(fileURLWithPath: arguments[arguments.startIndex + 1])
var lines = [
    "// Generated at build time by embed-assets from the package's files: edit those, not this.",
    "enum EmbeddedAssets {",
    "    /// Package-relative path → the file's bytes in base64.",
    "    static let base64: [String: String] = [",
]
for path in arguments.dropFirst(2) {
    do {
        let data = try Data(contentsOf: root.appendingPathComponent(path))
        lines.append("        \"\(path)\": \"\(data.base64EncodedString())\",")
    } catch {
        FileHandle.standardError.write(Data("embed-assets: cannot read \(path): \(error)\n".utf8))
        exit(1)
    }
}
lines += ["    ]", "}", ""]
do {
    try lines.joined(separator: "\n").write(to: output, atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("embed-assets: cannot write \(output.path): \(error)\n".utf8))
    exit(1)
}
