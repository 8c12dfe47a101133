/// A query parameter of a `Route`: its name, type and bounds. The router checks every
/// request's query against the route's list (unknown names and malformed values get a 400
/// naming the parameter) and `OpenAPIDocument` documents the same list.
struct QueryParameter: Sendable {
    enum Kind: Sendable {
        case integer(ClosedRange<Int64>)
        /// `true`, `false`, `1` or `0`.
        case boolean
        case string
        /// One of these words.
        case oneOf([String])
        /// A string matching this regular expression (whole).
        case pattern(String)
    }

    let name: String
    let kind: Kind
    let description: String
    /// A request without it gets 400 naming it (and the document says `required: true`).
    var required = false

    /// This parameter, required.
    func asRequired() -> QueryParameter {
        var copy = self
        copy.required = true
        return copy
    }

    static func integer(_ name: String, _ range: ClosedRange<Int64>, _ description: String) -> QueryParameter {
        QueryParameter(name: name, kind: .integer(range), description: description)
    }

    /// Any 64-bit integer.
    static func integer(_ name: String, _ description: String) -> QueryParameter {
        QueryParameter(name: name, kind: .integer(Int64.min...Int64.max), description: description)
    }

    static func boolean(_ name: String, _ description: String) -> QueryParameter {
        QueryParameter(name: name, kind: .boolean, description: description)
    }

    static func string(_ name: String, _ description: String) -> QueryParameter {
        QueryParameter(name: name, kind: .string, description: description)
    }

    static func pattern(_ name: String, _ regex: String, _ description: String) -> QueryParameter {
        QueryParameter(name: name, kind: .pattern(regex), description: description)
    }

    static func oneOf(_ name: String, _ words: [String], _ description: String) -> QueryParameter {
        QueryParameter(name: name, kind: .oneOf(words), description: description)
    }

    /// The typed value of `text`, or why it is not one.
    func parse(_ text: String) -> Result<QueryValues.Value, QueryValues.Issue> {
        switch kind {
        case .integer(let range):
            guard let n = Int64(text), range.contains(n) else {
                let bounds = range == Int64.min...Int64.max ? "" : " in \(range.lowerBound)...\(range.upperBound)"
                return .failure(.init(name: name, reason: "expected an integer\(bounds), got \"\(Self.quoted(text))\""))
            }
            return .success(.integer(n))
        case .boolean:
            switch text {
            case "true", "1": return .success(.boolean(true))
            case "false", "0": return .success(.boolean(false))
            default: return .failure(.init(name: name, reason: "expected true or false, got \"\(Self.quoted(text))\""))
            }
        case .string:
            return .success(.string(text))
        case .oneOf(let words):
            guard words.contains(text) else {
                return .failure(.init(name: name, reason: "expected one of: \(words.joined(separator: ", ")), got \"\(Self.quoted(text))\""))
            }
            return .success(.string(text))
        case .pattern(let regex):
            guard text.range(of: regex, options: .regularExpression) != nil else {
                return .failure(.init(name: name, reason: "expected a match of \(regex), got \"\(Self.quoted(text))\""))
            }
            return .success(.string(text))
        }
    }

    /// A value echoed in an error message, cut short.
    static func quoted(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}
