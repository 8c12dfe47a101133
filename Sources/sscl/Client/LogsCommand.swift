import ArgumentParser
import Foundation
import SSCLStore

/// `sscl logs ID [--follow]`: the job's worker log; with --follow, new lines from the event
/// stream (continued after the page's `last_event_id`) until the job ends.
struct LogsCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a job's log lines."
    )

    @Argument(help: "The job id.") var id: String
    @Flag(name: [.short, .long], help: "Keep printing new lines until the job ends.") var follow = false
    @OptionGroup var options: ClientOptions

    func run(with client: APIClient) throws {
        let path = "/v1/jobs/\(APIClient.segment(id))"
        let pageSize = 10_000
        var lastLine: Int64?
        var cursor: Int64?
        while true {
            var query = [URLQueryItem(name: "limit", value: String(pageSize))]
            if let lastLine { query.append(URLQueryItem(name: "after_id", value: String(lastLine))) }
            let page = try client.call(LogPage.self, "GET", path + "/logs", query: query)
            if cursor == nil { cursor = page.lastEventID }
            for line in page.lines { Self.write(line) }
            lastLine = page.lines.last?.id ?? lastLine
            if page.lines.count < pageSize { break }
        }
        guard follow else { return }
        let printer = LinePrinter(after: lastLine)
        var failures = 0
        while true {
            let connection = client.streamConnection(path + "/events", lastEventID: printer.cursor ?? cursor) { event in
                printer.apply(event)
            }
            let outcome = connection.run()
            if let error = printer.error { throw error }
            if case let .failed(error) = outcome {
                guard case .unreachable = error else { throw error }
            } else if case .ended = outcome {
                // The server ends the stream when the job has finished (or when it shuts down).
                if try client.call(JobDocument.self, "GET", path).status.isFinished { return }
            }
            failures += 1
            if failures > 30 { throw ClientError.local("lost the event stream of \(id)") }
            Thread.sleep(forTimeInterval: Double(connection.retryMilliseconds ?? 2000) / 1000)
        }
    }

    /// Unbuffered, so a followed line shows at once.
    static func write(_ line: LogEventData) {
        FileHandle.standardOutput.write(Data((line.line + "\n").utf8))
    }
}

/// Prints `log` events not printed yet; written on URLSession's queue while `run` waits.
private final class LinePrinter: @unchecked Sendable {
    private let lock = NSLock()
    private var lastLine: Int64?
    private var _cursor: Int64?
    private var _error: ClientError?

    init(after lastLine: Int64?) { self.lastLine = lastLine }

    var cursor: Int64? { lock.withLock { _cursor } }
    var error: ClientError? { lock.withLock { _error } }

    func apply(_ event: ServerSentEvent) -> Bool {
        lock.withLock {
            if event.type == "log" {
                do {
                    let line = try JSONDecoder().decode(LogEventData.self, from: Data(event.data.utf8))
                    if lastLine.map({ line.id > $0 }) ?? true {
                        LogsCommand.write(line)
                        lastLine = line.id
                    }
                } catch {
                    _error = .unreadable(request: "the log event \(event.id ?? "")", reason: APIClient.reason(decoding: error))
                    return false
                }
            }
            if let id = event.id.flatMap({ Int64($0) }) { _cursor = id }
            return true
        }
    }
}
