/// One invalid field of a job document: where it is and what is wrong with it.
public struct ValidationIssue: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Dotted path from the document root: `"loss.temperature"`, `"model.hidden[1]"`.
    public let path: String
    /// Why it is invalid: `"must be in (0, 100]"`, `"unknown key; did you mean \"temperature\"?"`.
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
