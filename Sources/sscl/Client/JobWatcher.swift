import Foundation
import SSCLService
import SSCLStore

/// Follows one job to its end, as the README's "Event stream" says a client should: the job's
/// document first, then its event stream after the document's `last_event_id`, so nothing
/// arrives twice; after a drop the stream is opened again after the last event seen
/// (`Last-Event-ID`), waiting the server's `retry:` between attempts.
struct JobWatcher {
    let client: APIClient
    let id: String
    let display: WatchDisplay
    /// Attempts to reconnect in a row before giving up (a server restart takes a few).
    var maxReconnects = 30

    /// The job's final document (with its result).
    func run() throws -> JobDocument {
        let path = "/v1/jobs/\(APIClient.segment(id))"
        let job = try client.call(JobDocument.self, "GET", path)
        display.status(job.head, queuePosition: job.queuePosition)
        if let progress = job.progress { display.progress(progress) }
        if job.status.isFinished {
            display.finish()
            return job
        }
        let state = StreamState(cursor: job.lastEventID, status: job.status)
        var failures = 0
        while true {
            let display = self.display
            let seenBefore = state.eventCount
            let connection = client.streamConnection(path + "/events", lastEventID: state.cursor) { event in
                state.apply(event, display: display)
            }
            let outcome = connection.run()
            if let error = state.error { throw error }
            if state.status.isFinished { break }
            switch outcome {
            case .ended, .dropped:
                break  // the stream ended early (a server shutting down) or broke: reconnect
            case let .failed(error):
                guard case .unreachable = error else { throw error }
            }
            failures = state.eventCount > seenBefore ? 1 : failures + 1
            if failures > maxReconnects {
                throw ClientError.local("lost the event stream of \(id) (\(failures - 1) reconnects failed)")
            }
            Thread.sleep(forTimeInterval: Double(connection.retryMilliseconds ?? 2000) / 1000)
        }
        display.finish()
        return try client.call(JobDocument.self, "GET", path)
    }
}

/// What the stream told so far; written on URLSession's queue while `run` waits, read after.
private final class StreamState: @unchecked Sendable {
    private let lock = NSLock()
    private var _cursor: Int64?
    private var _status: JobStatus
    private var _error: ClientError?
    private var _eventCount = 0

    init(cursor: Int64?, status: JobStatus) {
        _cursor = cursor
        _status = status
    }

    var cursor: Int64? { lock.withLock { _cursor } }
    var status: JobStatus { lock.withLock { _status } }
    var error: ClientError? { lock.withLock { _error } }
    var eventCount: Int { lock.withLock { _eventCount } }

    /// Applies one event; false (stop) when its data cannot be read.
    func apply(_ event: ServerSentEvent, display: WatchDisplay) -> Bool {
        let decoder = JSONDecoder()
        let data = Data(event.data.utf8)
        do {
            switch event.type {
            case "status":
                let head = try decoder.decode(JobStatusSnapshot.self, from: data)
                lock.withLock { _status = head.status }
                display.status(head)
            case "progress":
                display.progress(try decoder.decode(JobProgress.self, from: data))
            default:
                break  // metric and log events: `sscl logs` shows the lines
            }
        } catch {
            lock.withLock {
                _error = .unreadable(request: "the \(event.type) event \(event.id ?? "")",
                                     reason: APIClient.reason(decoding: error))
            }
            return false
        }
        lock.withLock {
            if let id = event.id.flatMap({ Int64($0) }) { _cursor = id }
            _eventCount += 1
        }
        return true
    }
}
