import Testing
@testable import SSCLHTTP

@Suite struct RequestHeadParserTests {
    private func parse(_ text: String) -> Result<ParsedHead, HTTPParseError> {
        let bytes = Array(text.utf8)
        let end = RequestHeadParser.headEnd(in: bytes, from: 0) ?? bytes.count
        return RequestHeadParser.parse(bytes[0..<end])
    }

    @Test func findsTheEndOfTheHead() {
        #expect(RequestHeadParser.headEnd(in: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\nbody".utf8), from: 0) == 27)
        #expect(RequestHeadParser.headEnd(in: Array("GET / HTTP/1.0\n\nrest".utf8), from: 0) == 16)
        #expect(RequestHeadParser.headEnd(in: Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8), from: 0) == nil)
    }

    @Test func parsesAValidHead() throws {
        let head = try parse("POST /a%20b?x=1 HTTP/1.1\r\nHost: h\r\ncontent-length: 12\r\nX-Multi: 1\r\nX-Multi:  2 \r\nConnection: Keep-Alive, Close\r\n\r\n").get()
        #expect(head.method == "POST")
        #expect(head.target == "/a%20b?x=1")
        #expect(head.version == "HTTP/1.1")
        #expect(head.contentLength == 12)
        #expect(head.headers.values(for: "x-multi") == ["1", "2"])
        #expect(!head.keepAlive)
    }

    @Test func keepAliveDefaultsDifferByVersion() throws {
        #expect(try parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n").get().keepAlive)
        #expect(try !parse("GET / HTTP/1.0\r\n\r\n").get().keepAlive)
        #expect(try parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").get().keepAlive)
    }

    @Test func acceptsRepeatedEqualContentLengthsAndAbsoluteTargets() throws {
        #expect(try parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n").get().contentLength == 5)
        #expect(try parse("GET http://h:1/p?q=1 HTTP/1.1\r\nHost: h\r\n\r\n").get().target == "http://h:1/p?q=1")
        #expect(try parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").get().target == "*")
    }

    @Test(arguments: [
        ("BREW / HTTP/1.1\r\nHost: h\r\n\r\n", 501),
        ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
        ("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 411),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 2\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n: empty\r\n\r\n", 400),
        ("\u{0}GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ])
    func rejects(text: String, status: Int) {
        guard case .failure(let error) = parse(text) else {
            Issue.record("accepted \(text.debugDescription)")
            return
        }
        #expect(error.status == status)
    }

    @Test func randomHeadsNeverCrashTheParser() {
        var generator = SeededGenerator(seed: 7)
        let pieces = ["GET", "POST", " ", "/", "%", "%4", "?", "=", "&", "HTTP/1.1", "HTTP/1.0", "\r\n", "\n", "\r",
                      ":", "Host", "Content-Length", "Transfer-Encoding", "Connection", "close", "\u{0}", "\t", "é", "99999999999999999999"]
        for _ in 0..<5000 {
            var text = ""
            for _ in 0..<Int.random(in: 1...40, using: &generator) { text += pieces.randomElement(using: &generator)! }
            var bytes = Array(text.utf8)
            if Bool.random(using: &generator) { bytes.append(UInt8.random(in: 0...255, using: &generator)) }
            _ = RequestHeadParser.headEnd(in: bytes, from: Int.random(in: 0...bytes.count, using: &generator))
            switch RequestHeadParser.parse(bytes[...]) {
            case .success(let head): #expect(head.contentLength >= 0)
            case .failure(let error): #expect([400, 411, 501, 505].contains(error.status))
            }
        }
    }
}
