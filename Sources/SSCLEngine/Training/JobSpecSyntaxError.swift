/// A job document that is not JSON at all, or whose top level is not an object. Kept apart
/// from `JobSpecValidationError` because there are no fields to report on.
public struct JobSpecSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the parser found wrong, e.g. `"expected ',' or '}' in an object"`.
    public let message: String
    /// 1-based position of the offending byte (nil when the error has no position).
    public let line: Int?
    public let column: Int?

    public init(message: String, line: Int? = nil, column: Int? = nil) {
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        guard let line, let column else { return "malformed job document: \(message)" }
        return "malformed job document at line \(line), column \(column): \(message)"
    }
}
