import Testing
@testable import SSCLService

@Suite struct LineSplitterTests {
    @Test func joinsChunksAndSplitsOnNewlines() {
        var s = LineSplitter()
        #expect(s.append(Array("ab".utf8)) == [])
        #expect(s.append(Array("c\nd\r\n\nef".utf8)) == ["abc", "d", ""])
        #expect(s.append(Array("g\n".utf8)) == ["efg"])
        #expect(s.finish() == nil)
    }

    @Test func keepsAnUnterminatedLastLine() {
        var s = LineSplitter()
        #expect(s.append(Array("one\ntwo".utf8)) == ["one"])
        #expect(s.finish() == "two")
        #expect(s.finish() == nil)
    }

    @Test func cutsOverlongLines() {
        var s = LineSplitter(maxLineBytes: 4)
        #expect(s.append(Array("abcdefghij\nk".utf8)) == ["abcd", "efgh", "ij"])
        #expect(s.finish() == "k")
    }

    @Test func replacesInvalidUTF8() {
        var s = LineSplitter()
        let lines = s.append([0x61, 0xff, 0xfe, 0x62, 0x0a])
        #expect(lines == ["a\u{FFFD}\u{FFFD}b"])
    }
}
