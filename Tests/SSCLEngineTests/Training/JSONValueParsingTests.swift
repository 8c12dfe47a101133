import Foundation
import Testing
@testable import SSCLEngine

private func parse(_ text: String) throws(JobSpecSyntaxError) -> JSONValue { try JSONValue.parse(Data(text.utf8)) }

/// The syntax error `text` raises (nil if it parses).
private func syntaxError(_ text: String) -> JobSpecSyntaxError? {
    do {
        _ = try parse(text)
        return nil
    } catch {
        return error
    }
}

@Suite struct JSONValueParsingTests {
    @Test func valuesParseWithOrderAndNumberTextKept() throws {
        let v = try parse(" {\"b\": [1, -0.5e3, true, null], \"a\": {\"x\": \"y\"}, \"n\": 18446744073709551615} ")
        guard case .object(let members) = v else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["b", "a", "n"])
        #expect(v["b"] == .array([.number("1"), .number("-0.5e3"), .bool(true), .null]))
        #expect(v["a"]?["x"] == .string("y"))
        #expect(v["n"] == .number("18446744073709551615"))
        #expect(try parse("[]") == .array([]) && parse("{}") == .object([]))
    }

    @Test func stringEscapesDecode() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\n\té😀"))
        #expect(try parse("\"héllo\"") == .string("héllo"))
    }

    @Test func numbersCompareByValue() {
        #expect(JSONValue.number("1") == .number("1.0"))
        #expect(JSONValue.number("1e-1") == .number("0.1"))
        #expect(JSONValue.number("18446744073709551615") != .number("18446744073709551614"))
        #expect(JSONValue.bool(true) != .number("1"))
    }

    @Test(arguments: [
        ("{\"a\": 1,}", 1, 9, "expected a string key"),
        ("[1, 2,]", 1, 7, "expected a value"),
        ("{\"a\": 01}", 1, 8, "a number cannot have a leading zero"),
        ("{\"a\": 1.}", 1, 9, "expected a digit after '.'"),
        ("{\"a\": .5}", 1, 7, "expected a value"),
        ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key \"a\""),
        ("{\"a\" 1}", 1, 6, "expected ':' after an object key"),
        ("{\"a\": tru}", 1, 7, "expected a value"),
        ("{\"a\": \"x\ny\"}", 1, 9, "control character in a string (escape it)"),
        ("{\"a\": \"\\q\"}", 1, 8, "invalid escape in a string"),
        ("{\"a\": \"\\ud800\"}", 1, 14, "unpaired surrogate in \\u escape"),
        ("{\"a\": 1} x", 1, 10, "unexpected content after the JSON value"),
        ("{\n\"a\": [1\n", 3, 1, "unexpected end of input, expected ',' or ']' in an array"),
        ("{\"a\": \"é", 1, 9, "unterminated string"),
        ("", 1, 1, "unexpected end of input, expected a value"),
        ("// comment\n{}", 1, 1, "expected a value"),
    ])
    func malformedTextIsRejectedWithItsPosition(text: String, line: Int, column: Int, message: String) {
        #expect(syntaxError(text) == JobSpecSyntaxError(message: message, line: line, column: column))
    }

    @Test func deepNestingAndInvalidUTF8AreRejected() {
        #expect(syntaxError(String(repeating: "[", count: 100))?.message == "nested more than 64 levels deep")
        #expect(throws: JobSpecSyntaxError(message: "the document is not valid UTF-8")) {
            try JSONValue.parse(Data([0x22, 0xFF, 0x22]))
        }
        #expect(throws: Never.self) { try JSONValue.parse(Data([0xEF, 0xBB, 0xBF] + Array("{}".utf8))) }
    }

    @Test func writtenTextParsesBack() throws {
        let value = JSONValue.object([
            JSONMember("s", .string("quote \" back \\ nl \n tab \t bell \u{07} é")),
            JSONMember("list", .array([.number(1), .object([JSONMember("k", .null)])])),
            JSONMember("empty", .object([])), JSONMember("f", .number(Float(0.1))),
        ])
        #expect(try JSONValue.parse(value.jsonData(pretty: true)) == value)
        #expect(try JSONValue.parse(value.jsonData(pretty: false)) == value)
        #expect(value.jsonText() == #"{"s":"quote \" back \\ nl \n tab \t bell \u0007 é","list":[1,{"k":null}],"empty":{},"f":0.1}"#)
        // Foundation reads it too.
        #expect(try JSONSerialization.jsonObject(with: value.jsonData(pretty: true)) is [String: Any])
    }
}
