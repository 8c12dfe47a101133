/// A request's query, checked against its route's `QueryParameter`s: every name known and
/// every value of its type. Handlers read typed values from it, never the raw query.
struct QueryValues: Sendable {
    enum Value: Sendable, Equatable {
        case integer(Int64)
        case boolean(Bool)
        case string(String)
    }

    /// Why one parameter was refused.
    struct Issue: Error, Equatable {
        let name: String
        let reason: String
    }

    /// Every refused parameter of one request.
    struct Invalid: Error {
        let issues: [Issue]
    }

    private let values: [String: Value]

    init(_ values: [String: Value] = [:]) {
        self.values = values
    }

    /// Checks `query` against `parameters`: unknown names and malformed values are issues,
    /// all of them reported, in name order.
    static func validate(_ query: [String: String], against parameters: [QueryParameter]) -> Result<QueryValues, Invalid> {
        var values: [String: Value] = [:]
        var issues: [Issue] = []
        for (name, text) in query.sorted(by: { $0.key < $1.key }) {
            guard let parameter = parameters.first(where: { $0.name == name }) else {
                let known = parameters.isEmpty ? "this route takes none" : "this route takes \(parameters.map(\.name).joined(separator: ", "))"
                issues.append(Issue(name: QueryParameter.quoted(name), reason: "unknown query parameter; \(known)"))
                continue
            }
            switch parameter.parse(text) {
            case .success(let value): values[name] = value
            case .failure(let issue): issues.append(issue)
            }
        }
        for parameter in parameters where parameter.required && query[parameter.name] == nil {
            issues.append(Issue(name: parameter.name, reason: "required"))
        }
        return issues.isEmpty ? .success(QueryValues(values)) : .failure(Invalid(issues: issues))
    }

    func int(_ name: String) -> Int? {
        if case .integer(let n)? = values[name] { return Int(n) }
        return nil
    }

    func int64(_ name: String) -> Int64? {
        if case .integer(let n)? = values[name] { return n }
        return nil
    }

    func bool(_ name: String) -> Bool? {
        if case .boolean(let b)? = values[name] { return b }
        return nil
    }

    func string(_ name: String) -> String? {
        if case .string(let s)? = values[name] { return s }
        return nil
    }
}
