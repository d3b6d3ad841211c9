import Foundation

/// The `serftop` executable built beside the test bundle.
public enum SerftopBinary {
    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "serftop is not built at \(path): run `swift build` before the tests" }
    }

    public static func path() throws -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // macOS puts the runner inside the .xctest bundle.
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS" || dir.lastPathComponent == "Contents" {
            dir.deleteLastPathComponent()
        }
        let candidate = dir.appendingPathComponent("serftop").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else { throw Missing(path: candidate) }
        return candidate
    }

    /// Runs serftop to completion.
    @discardableResult
    public static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await Tools.run(try path(), arguments)
    }

    /// Starts a long-running serftop (monitor, balancer, dashboard, demo).
    public static func start(_ name: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Daemon {
        try Daemon(name, executable: try path(), arguments: arguments, environment: environment)
    }
}
