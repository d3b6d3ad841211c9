import Foundation
import Testing
import ArgumentParser
@testable import serftop

/// `--cluster` and `--theme` complete from the configuration file and the
/// theme folders.
@Suite struct CompletionTests {
    @Test func clusterNamesComeFromTheFileTheCommandLineNames() throws {
        let path = try ConfigFileTests.write(ConfigFileTests.sample)
        #expect(ConfigOptions.clusterNames(words: ["serftop", "members", "--config", path, "--cluster", ""], environment: ConfigFileTests.env)
            == ["lab", "prod", "staging"])
        #expect(ConfigOptions.clusterNames(words: ["serftop", "--config=\(path)", "--cluster"], environment: ConfigFileTests.env)
            == ["lab", "prod", "staging"])
        #expect(ConfigOptions.clusterNames(words: ["serftop", "--cluster"], environment: ["SERFTOP_CONFIG": path, "HOME": "/home/op"])
            == ["lab", "prod", "staging"])
    }

    @Test func aBrokenOrMissingFileCompletesNothing() throws {
        let broken = try ConfigFileTests.write("clusters: [\n")
        #expect(ConfigOptions.clusterNames(words: ["serftop", "--config", broken], environment: [:]).isEmpty)
        #expect(ConfigOptions.clusterNames(words: ["serftop"], environment: ["XDG_CONFIG_HOME": "/nonexistent"]).isEmpty)
    }

    @Test func themeNamesComeFromTheThemeFolders() throws {
        let xdg = FileManager.default.temporaryDirectory.appendingPathComponent("serftop-xdg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: xdg + "/serftop/themes", withIntermediateDirectories: true)
        try "colors: {}\n".write(toFile: xdg + "/serftop/themes/solarized.yaml", atomically: true, encoding: .utf8)
        let names = ConfigOptions.themeNames(environment: ["XDG_CONFIG_HOME": xdg], executable: nil)
        #expect(names.first == "default")
        #expect(names.contains("solarized"))
    }

    @Test func theScriptsAskSerftopForClustersAndThemes() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = Serftop.completionScript(for: try #require(CompletionShell(rawValue: shell)))
            #expect(script.contains("--cluster"), "\(shell)")
            #expect(script.contains("---completion"), "\(shell) calls back for the custom lists")
        }
    }
}
