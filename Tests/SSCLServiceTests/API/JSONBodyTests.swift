import Foundation
import Testing
@testable import SSCLService

@Suite struct JSONBodyTests {
    @Test func encodesValuesThatFoundationReadsBack() throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(#"{"flag": true, "n": 3, "x": 0.1, "off": false}"#.utf8))
        let object: [String: Any] = [
            "text": "quote \" backslash \\ newline \n tab \t bell \u{7} é ✓",
            "int": 42, "negative": -7, "double": 0.1, "whole": 2.0, "tiny": 1e-8, "big": 1e300,
            "nan": Double.nan, "inf": Double.infinity, "float": Float(0.1),
            "yes": true, "no": false, "null": NSNull(),
            "array": [1, "two", [3.5]], "nested": ["b": 1, "a": 2],
            "parsed": parsed, "raw": RawJSON(text: #"{"kept":[1,2,{"as":"is"}]}"#),
        ]
        let data = JSONBody.encode(object)
        let back = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(back["text"] as? String == object["text"] as? String)
        #expect(back["int"] as? Int == 42 && back["negative"] as? Int == -7)
        #expect(back["double"] as? Double == 0.1 && back["tiny"] as? Double == 1e-8 && back["big"] as? Double == 1e300)
        #expect(back["whole"] as? Double == 2)
        #expect(back["float"] as? Double == 0.1, "floats print in their shortest decimal form")
        #expect(back["nan"] is NSNull && back["inf"] is NSNull && back["null"] is NSNull)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""yes":true"#) && text.contains(#""no":false"#))
        #expect(text.contains(#""parsed":{"flag":true,"n":3,"off":false,"x":0.1}"#))
        #expect(text.contains(#""nested":{"a":2,"b":1}"#), "keys sorted")
        #expect(text.contains(#""raw":{"kept":[1,2,{"as":"is"}]}"#), "raw JSON embedded as is")
        #expect(!text.contains("\\/"))
    }
}
