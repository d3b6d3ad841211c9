import Foundation
import PackagePlugin

/// Puts the files the demo needs into the serftop binary, read from the
/// package at build time: the files in Dockerfiles/ and themes/ stay the
/// only copies anyone edits, and a binary copied anywhere (static, or
/// without a share/ directory beside it) still has them.
@main
struct EmbedAssets: BuildToolPlugin {
    /// Package-relative files; every `.yaml` file of the folders.
    static let files = ["Dockerfiles/ha/haproxy.cfg.mustache", "Dockerfiles/webapp/app/server.js"]
    static let folders = ["themes"]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        var relative = Self.files
        for folder in Self.folders {
            let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
            relative += names.filter { $0.hasSuffix(".yaml") }.sorted().map { "\(folder)/\($0)" }
        }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedAssets.swift")
        return [.buildCommand(
            displayName: "Embedding the demo's assets",
            executable: try context.tool(named: "embed-assets").url,
            arguments: [root.path, output.path] + relative,
            inputFiles: relative.map { root.appendingPathComponent($0) },
            outputFiles: [output])]
    }
}
