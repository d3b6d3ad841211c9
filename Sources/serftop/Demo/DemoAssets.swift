import Foundation

/// The haproxy.cfg template, the web app and the themes the demo runs with:
/// the copies built into the binary (see Sources/EmbedAssets), so that the
/// demo runs from anywhere, or the files under `--assets DIR`
/// (`$SERFTOP_ASSETS`) for someone trying changes to them without a build.
struct DemoAssets {
    let template: String
    let webApp: String
    /// Themes beside the others, looked in after the usual places.
    let themes: String

    static let templatePath = "Dockerfiles/ha/haproxy.cfg.mustache"
    static let webAppPath = "Dockerfiles/webapp/app/server.js"
    static let themesPath = "themes"
    static let variable = "SERFTOP_ASSETS"

    /// The files under the override when there is one, else the built-in
    /// copies written under `directory`.
    static func locate(override: String?, environment: [String: String], directory: String) throws -> DemoAssets {
        if let root = override ?? environment[variable].flatMap({ $0.isEmpty ? nil : $0 }) {
            let t = "\(root)/\(templatePath)", w = "\(root)/\(webAppPath)"
            guard FileManager.default.fileExists(atPath: t) && FileManager.default.fileExists(atPath: w) else {
                throw DemoError("\(root) has no \(templatePath) and \(webAppPath) (from \(override != nil ? "--assets" : "$\(variable)"))")
            }
            return DemoAssets(template: t, webApp: w, themes: "\(root)/\(themesPath)")
        }
        let root = "\(directory)/assets"
        for path in embeddedPaths {
            let target = URL(fileURLWithPath: "\(root)/\(path)")
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: target.path, contents: embedded(path)) else {
                throw DemoError("cannot write \(target.path)")
            }
        }
        return DemoAssets(template: "\(root)/\(templatePath)", webApp: "\(root)/\(webAppPath)", themes: "\(root)/\(themesPath)")
    }

    static var embeddedPaths: [String] { EmbeddedAssets.base64.keys.sorted() }

    /// The bytes of a package file as the binary was built with it.
    static func embedded(_ path: String) -> Data? {
        EmbeddedAssets.base64[path].flatMap { Data(base64Encoded: $0) }
    }
}
