@testable import Dashboard
import Foundation
import Testing
import TerminalUI
import TestSupport

@Suite struct SnapshotFilesTests {
    static let time = Date(timeIntervalSince1970: 1_800_000_000) // 2027-01-15 08:00:00 UTC
    static let utc = TimeZone(identifier: "UTC")!

    func frame(_ text: String) -> CellGrid {
        var grid = CellGrid(width: 20, height: 3)
        grid.put(text, x: 1, y: 1, role: .header)
        return grid
    }

    @Test func namedByTheTimeAndNeverOverASavedOne() throws {
        let dir = TemporaryDirectory.shared.make("snapshot-names").path
        let first = try SnapshotFiles.write(frame("first"), theme: .builtIn, into: dir, at: Self.time, timeZone: Self.utc)
        #expect(first == .init(text: dir + "/serftop-20270115-080000.txt", svg: dir + "/serftop-20270115-080000.svg"))
        let second = try SnapshotFiles.write(frame("second"), theme: .builtIn, into: dir, at: Self.time, timeZone: Self.utc)
        #expect(second.text == dir + "/serftop-20270115-080000-1.txt" && second.svg == dir + "/serftop-20270115-080000-1.svg")
        // A name taken by one file only is still taken: the pair stays a pair.
        FileManager.default.createFile(atPath: dir + "/serftop-20270115-080000-2.svg", contents: Data("mine".utf8))
        let third = try SnapshotFiles.write(frame("third"), theme: .builtIn, into: dir, at: Self.time, timeZone: Self.utc)
        #expect(third.text.hasSuffix("-3.txt"))
        #expect(try String(contentsOfFile: first.text, encoding: .utf8) == "\n first\n\n")
        #expect(try String(contentsOfFile: second.text, encoding: .utf8) == "\n second\n\n")
        #expect(try String(contentsOfFile: dir + "/serftop-20270115-080000-2.svg", encoding: .utf8) == "mine")
        #expect(!FileManager.default.fileExists(atPath: dir + "/serftop-20270115-080000-2.txt"))
    }

    @Test func textIsTheScreensLines() {
        let screen = MemoryScreen(width: 20, height: 3)
        let grid = frame("a < b")
        screen.present(grid, theme: .builtIn)
        #expect(SnapshotFiles.text(grid) == screen.frame!.text + "\n")
        #expect(SnapshotFiles.text(grid).split(separator: "\n", omittingEmptySubsequences: false).count == 4)
    }

    @Test func aDirectoryThatCannotBeWrittenIsNamed() {
        #expect(throws: SnapshotFiles.Failure.self) {
            try SnapshotFiles.write(frame("x"), theme: .builtIn, into: "/nonexistent/dir", at: Self.time)
        }
    }
}
