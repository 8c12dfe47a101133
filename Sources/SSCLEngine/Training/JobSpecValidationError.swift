/// A well-formed job document with invalid fields. It lists every issue, not just the first,
/// so a user can fix the whole document in one round, up to `maxListed`: a document with
/// thousands of bad keys gets a bounded answer.
public struct JobSpecValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The most issues listed; beyond it the last entry says how many more there are.
    public static let maxListed = 100

    /// The issues in document order. When there are more than `maxListed`, the first
    /// `maxListed - 1` followed by one at path "" saying how many were left out.
    public let issues: [ValidationIssue]
    /// How many issues the document has, listed or not.
    public let count: Int

    public init(issues: [ValidationIssue]) {
        count = issues.count
        guard issues.count > Self.maxListed else {
            self.issues = issues
            return
        }
        let kept = Self.maxListed - 1
        self.issues = Array(issues.prefix(kept))
            + [ValidationIssue(path: "", reason: "\(issues.count - kept) more problems not listed")]
    }

    /// One line: the issue itself when there is one, else how many there are.
    public var summary: String {
        count == 1 ? issues[0].description : "\(count) invalid fields"
    }

    public var description: String {
        let noun = count == 1 ? "problem" : "problems"
        return (["the job has \(count) \(noun):"] + issues.map { "  \($0)" }).joined(separator: "\n")
    }
}
