import SSCLEngine

/// A sweep document that cannot be accepted: every problem, each at its path in the sweep
/// document (`parameters["loss.beta"].values[2]`, `base.epochs`, `seeds[1]`), listed at once.
public struct SweepValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public static let maxListed = JobSpecValidationError.maxListed
    public let issues: [ValidationIssue]
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

    public var summary: String { count == 1 ? issues[0].description : "\(count) invalid fields" }

    public var description: String {
        (["the sweep has \(count) problem\(count == 1 ? "" : "s"):"] + issues.map { "  \($0)" }).joined(separator: "\n")
    }
}
