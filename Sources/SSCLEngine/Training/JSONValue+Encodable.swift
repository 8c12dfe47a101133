import Foundation

/// A JSON value inside an `Encodable` document (an API body embedding a stored job, progress
/// or result): objects as keyed containers, numbers as the narrowest Swift number that holds
/// their text exactly (`Int`, `UInt64`, else `Double`), so a 64-bit seed stays exact and a
/// boolean stays a boolean.
extension JSONValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .number(let text):
            var c = encoder.singleValueContainer()
            if let i = Int(text) {
                try c.encode(i)
            } else if let u = UInt64(text) {
                try c.encode(u)
            } else if let d = Double(text), d.isFinite {
                try c.encode(d)
            } else {
                try c.encodeNil()  // no JSON text outside Double's range reaches here from the engine's writer
            }
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let members):
            var c = encoder.container(keyedBy: MemberKey.self)
            for member in members { try c.encode(member.value, forKey: MemberKey(member.key)) }
        }
    }

    /// An object member's name as a coding key.
    private struct MemberKey: CodingKey {
        let stringValue: String
        init(_ key: String) { stringValue = key }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}
