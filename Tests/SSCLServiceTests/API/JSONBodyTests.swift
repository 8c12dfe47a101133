import Foundation
import SSCLEngine
import Testing
@testable import SSCLService

@Suite struct JSONBodyTests {
    /// A `JSONValue` written with literals (as the OpenAPI document is) goes through the shared
    /// encoder with its numbers, booleans and strings intact.
    @Test func encodesLiteralJSONValuesThatFoundationReadsBack() throws {
        let text = "quote \" backslash \\ newline \n tab \t bell \u{7} é ✓ /slash"
        var value: JSONValue = [
            "text": .string(text), "int": 42, "negative": -7, "big": .number(UInt64.max), "min": .number(Int64.min),
            "yes": true, "no": false, "null": .null, "array": [1, "two", [.number(3.5)]], "nested": ["b": 1, "a": 2],
            "removed": "gone",
        ]
        value["removed"] = nil
        value["added"] = ["x"]
        #expect(value["removed"] == nil && value["added"] == ["x"])
        let merged = value.merging(["int": 0, "extra": true])
        #expect(merged["int"] == 42 && merged["extra"] == true, "the receiver's members win, the other's are added")

        let data = try JSONBody.data(value)
        let back = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(back["text"] as? String == text)
        #expect(back["int"] as? Int == 42 && back["negative"] as? Int == -7)
        #expect(back["null"] is NSNull && back["removed"] == nil && back["added"] as? [String] == ["x"])
        let encoded = String(decoding: data, as: UTF8.self)
        #expect(encoded.contains(#""big":18446744073709551615"#) && encoded.contains(#""min":-9223372036854775808"#))
        #expect(encoded.contains(#""yes":true"#) && encoded.contains(#""no":false"#))
        #expect(encoded.contains(#""array":[1,"two",[3.5]]"#))
        #expect(encoded.contains(#""nested":{"a":2,"b":1}"#), "keys sorted")
        #expect(!encoded.contains("\\/"))
    }
}
