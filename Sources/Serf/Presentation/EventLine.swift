import Foundation

/// One line per cluster event, for `serftop monitor`.
public enum EventLine {
    public static func text(_ event: SerfEvent, at date: Date = Date()) -> [String] {
        let stamp = timestamp(date)
        switch event {
        case .member(let kind, let members):
            return members.map { m in
                let tags = m.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                return "\(stamp) \(kind.rawValue) \(m.name) \(m.endpoint) \(tags)"
            }
        case .user(let e):
            return ["\(stamp) user \(e.name) \(printable(e.payload)) ltime=\(e.ltime)\(e.coalesce ? " coalesce" : "")"]
        case .query(let q):
            return ["\(stamp) query \(q.name) \(printable(q.payload)) ltime=\(q.ltime)"]
        case .notice(let text):
            return ["\(stamp) notice \(text)"]
        }
    }

    public static func json(_ event: SerfEvent, at date: Date = Date()) -> [String] {
        let time = ISO8601DateFormatter().string(from: date)
        func compact(_ o: [String: Any]) -> String {
            let data = (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
        switch event {
        case .member(let kind, let members):
            return members.map { m in
                compact(["time": time, "event": kind.rawValue, "name": m.name, "addr": m.endpoint, "status": m.status.rawValue, "tags": m.tags])
            }
        case .user(let e):
            return [compact(["time": time, "event": "user", "name": e.name, "payload": printable(e.payload), "ltime": e.ltime, "coalesce": e.coalesce])]
        case .query(let q):
            return [compact(["time": time, "event": "query", "name": q.name, "payload": printable(q.payload), "ltime": q.ltime])]
        case .notice(let text):
            return [compact(["time": time, "event": "notice", "text": text])]
        }
    }

    static func timestamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss.SSS"
        return f.string(from: date)
    }

    /// Payload as text when it is, else as hex.
    public static func printable(_ bytes: [UInt8]) -> String {
        if var s = String(bytes: bytes, encoding: .utf8),
           !s.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" && $0 != "\n" }) {
            while s.hasSuffix("\n") { s.removeLast() }
            return s
        }
        return "0x" + bytes.map { String(format: "%02x", $0) }.joined()
    }
}
