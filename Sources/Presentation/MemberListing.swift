import Foundation
import Serf
import TerminalUI

/// `serf members`, as text and JSON, with its filters.
public enum MemberListing {
    public struct Filter: Sendable {
        public var status: String?
        public var name: String?
        public var tags: [String: String] = [:]

        public init(status: String? = nil, name: String? = nil, tags: [String: String] = [:]) {
            self.status = status; self.name = name; self.tags = tags
        }

        /// Regular expressions anchored at both ends, as serf's filters are.
        public func matches(_ m: Member) throws -> Bool {
            func full(_ pattern: String, _ value: String) throws -> Bool {
                try Regex("^(?:\(pattern))$").wholeMatch(in: value) != nil
            }
            if let status, try !full(status, m.status.rawValue) { return false }
            if let name, try !full(name, m.name) { return false }
            for (k, pattern) in tags where try !full(pattern, m.tags[k] ?? "") { return false }
            return true
        }
    }

    /// `name  addr:port  status  k=v,k=v`, columns aligned; names and tags
    /// escaped (TerminalText), so each member stays one line.
    public static func text(_ members: [Member]) -> String {
        let rows = members.sorted { $0.name < $1.name }.map { m in
            [TerminalText.escaped(m.name), m.endpoint, m.status.rawValue, tagText(m.tags)]
        }
        return TextTable.aligned(rows)
    }

    /// `k=v,k=v`, sorted by key, escaped.
    static func tagText(_ tags: [String: String]) -> String {
        tags.sorted { $0.key < $1.key }.map { TerminalText.escaped("\($0.key)=\($0.value)") }.joined(separator: ",")
    }

    /// The same fields as `serf members -format json`.
    public static func json(_ members: [Member]) -> String {
        let list: [[String: Any]] = members.sorted { $0.name < $1.name }.map { m in
            ["name": m.name, "addr": m.endpoint, "port": Int(m.port), "tags": m.tags, "status": m.status.rawValue,
             "protocol": ["min": Int(m.delegateMin), "max": Int(m.delegateMax), "version": Int(m.delegateCur)]]
        }
        return jsonText(["members": list])
    }
}
