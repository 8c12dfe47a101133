import Testing
@testable import SSCLHTTP

@Suite struct HTTPHeadersTests {
    @Test func namesAreCaseInsensitiveAndOrderIsKept() {
        var headers: HTTPHeaders = ["Content-Type": "text/plain", "X-A": "1"]
        headers.add(name: "x-a", value: "2")
        #expect(headers["content-type"] == "text/plain")
        #expect(headers.values(for: "X-A") == ["1", "2"])
        headers.set(name: "X-a", value: "3")
        #expect(headers.values(for: "x-A") == ["3"])
        #expect(headers.fields.map(\.name) == ["Content-Type", "X-a"])
        headers["CONTENT-TYPE"] = nil
        #expect(!headers.contains("content-type"))
        #expect(headers.count == 1)
    }

    @Test func findsTokensInCommaLists() {
        let headers: HTTPHeaders = ["Connection": "Keep-Alive, Upgrade"]
        #expect(headers.hasToken("upgrade", for: "connection"))
        #expect(!headers.hasToken("close", for: "connection"))
    }
}
