import Foundation
import Testing
@testable import serftop

/// The copies built into the binary are the package's files, byte for byte.
@Suite struct EmbeddedAssetsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyEmbeddedFileEqualsItsOriginal() throws {
        #expect(DemoAssets.embeddedPaths.contains(DemoAssets.templatePath))
        #expect(DemoAssets.embeddedPaths.contains(DemoAssets.webAppPath))
        for path in DemoAssets.embeddedPaths {
            let original = try Data(contentsOf: Self.root.appendingPathComponent(path))
            #expect(DemoAssets.embedded(path) == original, "\(path) differs from the copy built in: rebuild")
        }
    }

    @Test func everyThemeIsEmbedded() throws {
        let themes = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("themes").path)
            .filter { $0.hasSuffix(".yaml") }
        #expect(!themes.isEmpty)
        for name in themes { #expect(DemoAssets.embeddedPaths.contains("themes/\(name)")) }
    }

    @Test func theDemoWritesTheBuiltInCopiesIntoItsDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("serftop-assets-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let assets = try DemoAssets.locate(override: nil, environment: [:], directory: dir)
        #expect(assets.template.hasPrefix(dir) && assets.webApp.hasPrefix(dir))
        #expect(try Data(contentsOf: URL(fileURLWithPath: assets.webApp))
            == Data(contentsOf: Self.root.appendingPathComponent(DemoAssets.webAppPath)))
        #expect(FileManager.default.fileExists(atPath: assets.themes + "/dark.yaml"))
    }
}
