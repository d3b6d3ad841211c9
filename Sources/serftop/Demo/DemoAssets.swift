import Foundation

/// Where the demo finds the haproxy.cfg template and the web app: beside an
/// installed binary (../share/serftop), or in the source tree the binary was
/// built in (`swift run` from a checkout), or under the current directory.
struct DemoAssets {
    let template: String
    let webApp: String

    static let templatePath = "Dockerfiles/ha/haproxy.cfg.mustache"
    static let webAppPath = "Dockerfiles/webapp/app/server.js"

    static func locate(override: String?) throws -> DemoAssets {
        var roots: [String] = []
        if let override { roots.append(override) }
        if let env = ProcessInfo.processInfo.environment["SERFTOP_ASSETS"] { roots.append(env) }
        let exe = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]).deletingLastPathComponent()
        roots.append(exe.appendingPathComponent("../share/serftop").standardized.path)
        var dir = exe
        for _ in 0 ..< 6 {
            roots.append(dir.path)
            dir = dir.deletingLastPathComponent()
        }
        roots.append(FileManager.default.currentDirectoryPath)
        for root in roots {
            let t = "\(root)/\(templatePath)", w = "\(root)/\(webAppPath)"
            if FileManager.default.fileExists(atPath: t) && FileManager.default.fileExists(atPath: w) {
                return DemoAssets(template: t, webApp: w)
            }
        }
        throw DemoError("cannot find \(templatePath) and \(webAppPath): run from the serftop checkout, or pass --assets DIR")
    }
}
