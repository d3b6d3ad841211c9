import Foundation
import Mustache

/// The haproxy.cfg template (mustache). Values are inserted as they are:
/// the output is a configuration file, not HTML.
public struct ConfigTemplate: Sendable {
    public let path: String
    let template: MustacheTemplate

    public init(path: String) throws(BalancerError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .template(path: path, reason: "cannot read it: \((error as NSError).localizedDescription)")
        }
        try self.init(text: text, path: path)
    }

    public init(text: String, path: String = "<template>") throws(BalancerError) {
        self.path = path
        do {
            // The pragma goes on the first line so that line numbers in errors stay right.
            template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
        } catch let error as MustacheTemplate.ParserError {
            throw .template(path: path, reason: "line \(error.context.lineNumber), column \(error.context.columnNumber): "
                + "\(Self.describe(error.error)) near '\(error.context.line.trimmingCharacters(in: .whitespaces))'")
        } catch {
            throw .template(path: path, reason: "\(error)")
        }
    }

    /// Renders with `servers` and the extra values (`--set key=value`).
    public func render(servers: [BackendServer], values: [String: String]) -> String {
        var context: [String: Any] = values
        context["servers"] = servers.map { s -> [String: Any] in
            ["name": s.name.text, "address": s.address, "port": String(s.port), "endpoint": s.endpoint,
             "tags": s.tags]
        }
        context["server_count"] = String(servers.count)
        context["has_servers"] = !servers.isEmpty
        return template.render(context)
    }

    static func describe(_ error: any Error) -> String {
        guard let e = error as? MustacheTemplate.Error else { return "\(error)" }
        switch e {
        case .sectionCloseNameIncorrect: return "a section is closed with another name than it was opened with"
        case .unfinishedName: return "a tag is not closed with }}"
        case .expectedSectionEnd: return "a section is opened and never closed"
        case .invalidSetDelimiter: return "a set-delimiter tag is malformed"
        default: return "\(e)"
        }
    }
}
