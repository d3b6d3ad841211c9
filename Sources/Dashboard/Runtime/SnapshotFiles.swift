import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TerminalUI

/// A frame saved as `serftop-YYYYMMDD-HHMMSS.txt` (the characters on
/// screen) and `.svg` (the same in the theme's colours). Never over an
/// existing file: a taken name gets `-1`, `-2`, …, and the files are created
/// exclusively, so a second dashboard saving in the same second cannot
/// overwrite the first's.
public enum SnapshotFiles {
    public struct Saved: Sendable, Equatable {
        public var text: String
        public var svg: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The frame's text: one line per row, trailing spaces trimmed.
    public static func text(_ frame: CellGrid) -> String { frame.text + "\n" }

    /// Writes both files into `directory`; their paths.
    public static func write(_ frame: CellGrid, theme: Theme, into directory: String, at time: Date = Date(),
                             timeZone: TimeZone = .current) throws -> Saved {
        let stem = "serftop-" + timestamp(time, timeZone)
        let text = Data(self.text(frame).utf8), svg = Data(SVGFrame.render(frame, theme: theme).utf8)
        for n in 0 ..< 1000 {
            let base = URL(fileURLWithPath: directory).appendingPathComponent(n == 0 ? stem : "\(stem)-\(n)").path
            let saved = Saved(text: base + ".txt", svg: base + ".svg")
            guard try create(saved.text, text) else { continue }
            do {
                guard try create(saved.svg, svg) else {
                    unlink(saved.text)
                    continue
                }
            } catch {
                unlink(saved.text)
                throw error
            }
            return saved
        }
        throw Failure(description: "\(directory) already holds 1000 snapshots named \(stem)")
    }

    /// 20261129-181502, in local time: what the operator's clock said.
    static func timestamp(_ time: Date, _ timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: time)
        func two(_ v: Int?) -> String { let s = String(v ?? 0); return s.count < 2 ? "0" + s : s }
        return "\(c.year ?? 0)\(two(c.month))\(two(c.day))-\(two(c.hour))\(two(c.minute))\(two(c.second))"
    }

    /// Creates `path` with `data`; false if it exists already.
    static func create(_ path: String, _ data: Data) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw Failure(description: "\(String(cString: strerror(errno))): \(path)")
        }
        defer { close(fd) }
        do {
            try FileHandle(fileDescriptor: fd, closeOnDealloc: false).write(contentsOf: data)
        } catch {
            unlink(path)
            throw Failure(description: "\((error as NSError).localizedDescription): \(path)")
        }
        return true
    }
}
