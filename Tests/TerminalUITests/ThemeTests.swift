import Foundation
import Testing
@testable import TerminalUI

@Suite struct ThemeTests {
    static let repoThemes = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes").path

    @Test func everyShippedThemeLoads() throws {
        let loader = ThemeLoader(directories: [Self.repoThemes])
        let names = loader.available()
        for expected in ["default", "dark", "light", "high-contrast", "monochrome"] { #expect(names.contains(expected)) }
        for name in names {
            let (theme, problem) = loader.load(name)
            #expect(problem == nil, "\(name): \(problem.map { "\($0)" } ?? "")")
            #expect(theme.name == name)
        }
    }

    @Test func defaultFileMatchesTheBuiltInDefault() throws {
        let theme = try ThemeLoader.parse(file: Self.repoThemes + "/default.yaml")
        for role in StyleRole.allCases { #expect(theme.style(role) == Theme.builtIn.style(role), "\(role)") }
    }

    @Test func brokenThemeNamesFileAndLineAndFallsBack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("themes-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "name: bad\ncolors:\n  header: { fg: 17 }\n  alive:  { fg: 999 }\n".write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        try "name: worse\ncolors:\n  header: { fg: 17\n".write(to: dir.appendingPathComponent("worse.yaml"), atomically: true, encoding: .utf8)
        try "name: odd\ncolors:\n  sparkles: { fg: 1 }\n".write(to: dir.appendingPathComponent("odd.yaml"), atomically: true, encoding: .utf8)
        let loader = ThemeLoader(directories: [dir.path])
        let (bad, p1) = loader.load("bad")
        #expect(bad == .builtIn)
        #expect(p1?.file.hasSuffix("bad.yaml") == true && p1?.line == 4, "\(String(describing: p1))")
        #expect("\(p1!)".contains("999"))
        let (_, p2) = loader.load("worse")
        #expect(p2?.line != nil && "\(p2!)".contains("worse.yaml"), "\(String(describing: p2))")
        let (_, p3) = loader.load("odd")
        #expect("\(p3!)".contains("unknown role 'sparkles'") && p3?.line == 3)
        let (_, missing) = loader.load("nope")
        #expect(missing != nil)
    }

    @Test func userThemesComeFirst() {
        let dirs = ThemeLoader.standardDirectories(environment: ["XDG_CONFIG_HOME": "/x/config", "HOME": "/home/u"], executable: "/opt/bin/serftop")
        #expect(dirs.first == "/x/config/serftop/themes")
        #expect(dirs.contains("/opt/share/serftop/themes"))
    }
}
