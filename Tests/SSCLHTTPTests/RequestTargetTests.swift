import Testing
@testable import SSCLHTTP

@Suite struct RequestTargetTests {
    @Test func splitsAndDecodes() {
        let target = RequestTarget("/files/a%2Fb%20c?name=J%C3%BCrgen+X&flag&x=1&x=2")
        #expect(target.rawPath == "/files/a%2Fb%20c")
        #expect(target.path == "/files/a/b c")
        #expect(target.rawQuery == "name=J%C3%BCrgen+X&flag&x=1&x=2")
        #expect(target.query == ["name": "Jürgen X", "flag": "", "x": "2"])
    }

    @Test func plusIsASpaceOnlyInTheQuery() {
        let target = RequestTarget("/a+b?c=d+e")
        #expect(target.path == "/a+b")
        #expect(target.query["c"] == "d e")
    }

    @Test func rejectsBadPathEncodings() {
        #expect(RequestTarget("/a%zz").path == nil)
        #expect(RequestTarget("/a%2").path == nil)
        #expect(RequestTarget("/a%00").path == nil)
        #expect(RequestTarget("/%ff%fe").path == nil)
        // A bad escape in the query is kept as sent rather than failing the request.
        #expect(RequestTarget("/?q=%zz").query["q"] == "%zz")
    }

    @Test func reducesAbsoluteFormToItsPath() {
        #expect(RequestTarget("http://example.com:8080/p/q?x=1").path == "/p/q")
        #expect(RequestTarget("http://example.com").path == "/")
        #expect(RequestTarget("https://example.com?x=1").query["x"] == "1")
    }
}
