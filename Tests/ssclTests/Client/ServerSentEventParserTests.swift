import Foundation
import Testing
@testable import sscl

/// The text/event-stream parser against the spec's rules, fed in every possible split.
@Suite struct ServerSentEventParserTests {
    /// Parses `text` fed in chunks of `size` bytes.
    static func parse(_ text: String, chunk size: Int) -> (events: [ServerSentEvent], retry: Int?) {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            events += parser.feed(bytes[start..<min(bytes.count, start + size)])
            start += size
        }
        return (events, parser.retryMilliseconds)
    }

    @Test func parsesTheServersStreamInAnyChunking() {
        let stream = "retry: 2000\n\nid: 7\nevent: status\ndata: {\"a\": 1}\n\n: keep-alive\n\nid: 8\nevent: progress\ndata: {\"step\": 2}\n\n"
        let expected = [ServerSentEvent(type: "status", data: #"{"a": 1}"#, id: "7"),
                        ServerSentEvent(type: "progress", data: #"{"step": 2}"#, id: "8")]
        for size in 1...stream.utf8.count {
            let parsed = Self.parse(stream, chunk: size)
            #expect(parsed.events == expected, "chunks of \(size)")
            #expect(parsed.retry == 2000)
        }
    }

    @Test func followsTheSpecsLineAndFieldRules() {
        // CR LF split across chunks, lone CR, multi-line data, no space after the colon, a BOM,
        // an id kept for the next event, a field without a colon, an unknown field.
        let stream = "\u{FEFF}data:one\r\ndata: two\r\n\r\nevent: x\rdata\rfoo: bar\r\rid: 5\ndata: three\n\ndata: four\n\nretry: soon\ndata: cut off"
        let expected = [ServerSentEvent(type: "message", data: "one\ntwo", id: nil),
                        ServerSentEvent(type: "x", data: "", id: nil),
                        ServerSentEvent(type: "message", data: "three", id: "5"),
                        ServerSentEvent(type: "message", data: "four", id: "5")]
        for size in 1...stream.utf8.count {
            let parsed = Self.parse(stream, chunk: size)
            #expect(parsed.events == expected, "chunks of \(size)")
            #expect(parsed.retry == nil, "retry: must be digits")
        }
    }

    @Test func anEventWithoutDataIsNotDispatched() {
        #expect(Self.parse("event: status\nid: 3\n\n", chunk: 4).events.isEmpty)
        // ...but its id still counts.
        #expect(Self.parse("id: 3\n\ndata: x\n\n", chunk: 4).events == [ServerSentEvent(type: "message", data: "x", id: "3")])
    }
}
