import Foundation
import Testing
@testable import TerminalUI

@Suite struct TextWidthTests {
    @Test func bordersAndSparklinesAreOneColumnEach() {
        #expect("│─┌┐└┘".columns == 6)
        #expect("▁▂▃▄▅▆▇█".columns == 8)
        #expect("web1 ▁▃█ …".columns == 10)
    }

    @Test func wideAndCombiningCharactersStillCount() {
        #expect("日本".columns == 4)
        #expect("e\u{301}".columns == 1)
        #expect("│日".columns == 3)
        #expect("🚀x".columns == 3)
    }

    /// The fast range must never hide a mark the property lookup would find.
    @Test func plainNarrowRangesHoldNoCombiningMark() {
        for v in UInt32(0) ... 0x2BFF where Character.isPlainNarrow(v) {
            guard let scalar = Unicode.Scalar(v) else { continue }
            let category = scalar.properties.generalCategory
            #expect(category != .nonspacingMark && category != .enclosingMark, "U+\(String(v, radix: 16))")
        }
    }

    @Test func eventTimesAreLocalHoursMinutesSeconds() {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        for seconds: TimeInterval in [0, 59.999, 3_600 * 13 + 61, 1_790_000_000.5] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(ClockText.hms(date) == formatter.string(from: date))
        }
    }
}
