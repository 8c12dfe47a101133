/// A well-formed job document with invalid fields. It lists every issue, not just the first,
/// so a user can fix the whole document in one round.
public struct JobSpecValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let issues: [ValidationIssue]

    public init(issues: [ValidationIssue]) { self.issues = issues }

    public var description: String {
        let noun = issues.count == 1 ? "problem" : "problems"
        return (["the job has \(issues.count) \(noun):"] + issues.map { "  \($0)" }).joined(separator: "\n")
    }
}
