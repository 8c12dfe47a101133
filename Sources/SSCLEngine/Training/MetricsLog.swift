import Foundation

/// A run's `metrics.jsonl`: every event of the run, one `TrainingEvent.jsonLine()` a line,
/// kept across attempts (a resumed run appends; a fresh one starts it empty). The same lines
/// as the worker's stdout, so the service can restore from it what never reached its database.
public final class MetricsLog: @unchecked Sendable {
    public static let fileName = "metrics.jsonl"

    private let handle: FileHandle
    private let lock = NSLock()
    private var firstWriteError: (any Error)?

    /// Opens the file for appending; `append` false empties it first.
    public init(url: URL, append: Bool) throws {
        if !append || !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    /// Appends an event's line (`TrainingEvent.jsonLine()`). A failed write (a full disk) does
    /// not stop training: the first error is kept for `writeError`.
    public func append(line: String) {
        let bytes = Data((line + "\n").utf8)
        lock.withLock {
            do {
                try handle.write(contentsOf: bytes)
            } catch {
                if firstWriteError == nil { firstWriteError = error }
            }
        }
    }

    /// The first write that failed, if any.
    public var writeError: (any Error)? { lock.withLock { firstWriteError } }

    public func close() {
        lock.withLock { try? handle.close() }
    }

    /// The file's events, oldest first, and the lines that are not events (1-based numbers;
    /// a line cut short when the process was killed mid-write ends up there).
    public static func read(from url: URL) throws -> (events: [TrainingEvent], rejected: [(line: Int, error: TrainingEventLineError)]) {
        let text = try String(contentsOf: url, encoding: .utf8)
        var events: [TrainingEvent] = []
        var rejected: [(line: Int, error: TrainingEventLineError)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            do {
                events.append(try TrainingEvent(jsonLine: line))
            } catch {
                rejected.append((index + 1, error))
            }
        }
        return (events, rejected)
    }
}
