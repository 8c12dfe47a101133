import Foundation
import Testing
@testable import SSCLStore

@Suite struct RFC3339Tests {
    @Test func formatsKnownInstants() {
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 951_782_400.5)) == "2000-02-29T00:00:00.500Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 1_738_324_800.123)) == "2025-01-31T12:00:00.123Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: -1.001)) == "1969-12-31T23:59:58.999Z")
    }

    @Test func parsesWhatItWritesExactly() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let date = RFC3339.truncatedToMilliseconds(Date(timeIntervalSince1970: Double.random(in: 0..<4e9, using: &rng)))
            let text = RFC3339.string(from: date)
            #expect(RFC3339.date(from: text) == date, "\(text)")
            #expect(text.count == 24)
        }
    }

    @Test func parsesOffsetsAndFractions() {
        let base = RFC3339.date(from: "2025-01-31T12:00:00Z")
        #expect(base == Date(timeIntervalSince1970: 1_738_324_800))
        #expect(RFC3339.date(from: "2025-01-31T14:00:00+02:00") == base)
        #expect(RFC3339.date(from: "2025-01-31T12:00:00.1Z") == Date(timeIntervalSince1970: 1_738_324_800.1))
        #expect(RFC3339.date(from: "2025-01-31T12:00:00.123999Z") == RFC3339.date(from: "2025-01-31T12:00:00.123Z"))
    }

    @Test(arguments: ["", "2025-01-31", "2025-01-31T12:00:00", "2025-13-01T00:00:00Z", "2025-01-31T12:00:00.Z",
                      "2025-01-31T12:00:00Zjunk", "2025-01-31 12:00:00Z", "2025-01-31T12:00:00+0200"])
    func rejectsMalformedText(_ text: String) {
        #expect(RFC3339.date(from: text) == nil)
    }
}
