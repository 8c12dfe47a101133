/// JSON written as Swift literals, for documents built by hand (the service's OpenAPI
/// document): `["type": "integer", "minimum": 0]` is an object whose members keep the
/// literal's order, `["a", "b"]` an array, `"text"` a string, `3` a number, `true` a boolean.
extension JSONValue: ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByStringInterpolation,
                     ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    /// Keys must be unique, as in a `Dictionary` literal.
    public init(dictionaryLiteral members: (String, JSONValue)...) {
        assert(Set(members.map(\.0)).count == members.count, "duplicate key in a JSON object literal")
        self = .object(members.map { JSONMember($0.0, $0.1) })
    }

    public init(arrayLiteral items: JSONValue...) { self = .array(items) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    public static func number(_ value: Int64) -> JSONValue { .number(String(value)) }

    /// An array of strings.
    public static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }

    /// An object with `other`'s members added after its own; on a shared key this object's
    /// value is kept. Other values are returned unchanged.
    public func merging(_ other: JSONValue) -> JSONValue {
        guard case .object(let mine) = self, case .object(let theirs) = other else { return self }
        let keys = Set(mine.map(\.key))
        return .object(mine + theirs.filter { !keys.contains($0.key) })
    }
}
