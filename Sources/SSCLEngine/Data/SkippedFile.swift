/// A file an image folder holds but a `skip_bad` job left out, and why.
public struct SkippedFile: Sendable, Equatable, CustomStringConvertible {
    /// Relative to the dataset's folder, e.g. `train/cat/0007.jpg`.
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path) \(reason)" }
}
