import Foundation
import Yams

/// Reads themes from YAML files: the repository's `themes/`, an installed
/// copy, and `$XDG_CONFIG_HOME/serftop/themes/` (which wins).
public struct ThemeLoader: Sendable {
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var reason: String
        public var description: String {
            "\(file)\(line.map { ":\($0)" } ?? ""): \(reason) — using the default theme"
        }
    }

    public var directories: [String]

    public init(directories: [String]) { self.directories = directories }

    /// Where themes are looked for, most specific first.
    public static func standardDirectories(environment env: [String: String], executable: String?) -> [String] {
        var dirs: [String] = []
        if let xdg = env["XDG_CONFIG_HOME"], !xdg.isEmpty {
            dirs.append("\(xdg)/serftop/themes")
        } else if let home = env["HOME"] {
            dirs.append("\(home)/.config/serftop/themes")
        }
        if let extra = env["SERFTOP_THEMES"] { dirs.append(extra) }
        if let executable {
            let bin = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
            dirs.append(bin.deletingLastPathComponent().appendingPathComponent("share/serftop/themes").path)
            // Run from a checkout: .build/<config>/serftop, themes/ at the top.
            var up = bin
            for _ in 0 ..< 4 {
                up.deleteLastPathComponent()
                dirs.append(up.appendingPathComponent("themes").path)
            }
        }
        dirs.append("/usr/share/serftop/themes")
        dirs.append(FileManager.default.currentDirectoryPath + "/themes")
        var seen = Set<String>()
        return dirs.filter { seen.insert($0).inserted }
    }

    /// Every theme name found, the built-in default first.
    public func available() -> [String] {
        var names: [String] = ["default"]
        for dir in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for f in files.sorted() where f.hasSuffix(".yaml") || f.hasSuffix(".yml") {
                let n = String(f.prefix { $0 != "." })
                if !names.contains(n) { names.append(n) }
            }
        }
        return names
    }

    /// The theme called `name`; the built-in default and the problem if its
    /// file is missing or broken.
    public func load(_ name: String) -> (Theme, Problem?) {
        for dir in directories {
            for ext in ["yaml", "yml"] {
                let path = "\(dir)/\(name).\(ext)"
                guard FileManager.default.fileExists(atPath: path) else { continue }
                do {
                    return (try Self.parse(file: path), nil)
                } catch let p as Problem {
                    return (.builtIn, p)
                } catch {
                    return (.builtIn, Problem(file: path, line: nil, reason: "\(error)"))
                }
            }
        }
        if name == "default" { return (.builtIn, nil) }
        if name == "monochrome" { return (.monochrome, nil) }
        return (.builtIn, Problem(file: "\(name).yaml", line: nil, reason: "no such theme in \(directories.joined(separator: ", "))"))
    }

    public static func parse(file path: String) throws -> Theme {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Problem(file: path, line: nil, reason: "cannot read it")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> Theme {
        let node: Yams.Node
        do {
            guard let n = try Yams.compose(yaml: text) else { throw Problem(file: file, line: nil, reason: "the file is empty") }
            node = n
        } catch let p as Problem {
            throw p
        } catch let e as YamlError {
            throw Problem(file: file, line: yamlLine(e), reason: yamlReason(e))
        }
        guard let top = node.mapping else { throw Problem(file: file, line: line(node), reason: "expected `name:` and `colors:`") }
        let name = top["name"]?.string ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        guard let colors = top["colors"] else { throw Problem(file: file, line: line(node), reason: "no `colors:` section") }
        guard let mapping = colors.mapping else { throw Problem(file: file, line: line(colors), reason: "`colors:` must map roles to styles") }
        var styles: [StyleRole: Theme.Style] = [:]
        for (key, value) in mapping {
            guard let roleName = key.string else { continue }
            guard let role = StyleRole(rawValue: roleName) else {
                let known = StyleRole.allCases.map(\.rawValue).joined(separator: ", ")
                throw Problem(file: file, line: line(key), reason: "unknown role '\(roleName)' (known: \(known))")
            }
            styles[role] = try style(value, file: file)
        }
        return Theme(name: name, styles: styles)
    }

    static func style(_ node: Yams.Node, file: String) throws -> Theme.Style {
        guard let m = node.mapping else { throw Problem(file: file, line: line(node), reason: "a style is { fg: …, bg: …, fg16: …, bold: … }") }
        var s = Theme.Style()
        for (k, v) in m {
            guard let key = k.string else { continue }
            switch key {
            case "fg": s.fg = try color256(v, file: file)
            case "bg": s.bg = try color256(v, file: file)
            case "fg16": s.fg16 = try color16(v, file: file)
            case "bg16": s.bg16 = try color16(v, file: file)
            case "bold": s.bold = try flag(v, file: file)
            case "underline": s.underline = try flag(v, file: file)
            case "reverse": s.reverse = try flag(v, file: file)
            default: throw Problem(file: file, line: line(k), reason: "unknown style key '\(key)' (fg, bg, fg16, bg16, bold, underline, reverse)")
            }
        }
        return s
    }

    static let names16 = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    static func color256(_ n: Yams.Node, file: String) throws -> Int? {
        if n.string == "default" { return nil }
        guard let v = n.int, (0 ... 255).contains(v) else {
            throw Problem(file: file, line: line(n), reason: "'\(n.string ?? "?")' is not a colour 0–255 or 'default'")
        }
        return v
    }

    static func color16(_ n: Yams.Node, file: String) throws -> Int? {
        guard let s = n.string else { throw Problem(file: file, line: line(n), reason: "expected a colour name") }
        if s == "default" { return nil }
        if let v = Int(s), (0 ... 15).contains(v) { return v }
        var name = s.lowercased()
        var bright = false
        if name.hasPrefix("bright") { bright = true; name = String(name.dropFirst(6)).trimmingCharacters(in: CharacterSet(charactersIn: "-_ ")) }
        guard let i = names16.firstIndex(of: name) else {
            throw Problem(file: file, line: line(n), reason: "'\(s)' is not a 16-colour name (black, red, green, yellow, blue, magenta, cyan, white, bright…, or 0–15)")
        }
        return i + (bright ? 8 : 0)
    }

    static func flag(_ n: Yams.Node, file: String) throws -> Bool {
        guard let b = n.bool else { throw Problem(file: file, line: line(n), reason: "expected true or false") }
        return b
    }

    static func line(_ n: Yams.Node) -> Int? { n.mark.map { $0.line } }

    public static func yamlLine(_ e: YamlError) -> Int? {
        switch e {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    public static func yamlReason(_ e: YamlError) -> String {
        switch e {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return "YAML: \(problem)"
        default: return "YAML: \(e)"
        }
    }
}
