import Foundation

/// One line a job's worker logged; `id` orders the lines and pages through them.
public struct LogLine: Sendable, Equatable {
    public var id: Int64
    public var time: Date
    public var line: String

    public init(id: Int64, time: Date, line: String) {
        self.id = id
        self.time = time
        self.line = line
    }
}
