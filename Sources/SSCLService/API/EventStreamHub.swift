import Foundation
import Logging
import SSCLHTTP
import SSCLStore

/// Feeds every open `/events` stream from the store's event table: one pump thread wakes
/// every 200 ms, sends each stream what came after its last id, pings idle streams, and
/// closes a stream once its job has finished and everything was sent.
final class EventStreamHub: @unchecked Sendable {
    private final class Stream {
        let jobID: String
        var lastID: Int64?
        let writer: EventStreamWriter
        var lastSent = Date()
        init(jobID: String, lastID: Int64?, writer: EventStreamWriter) {
            self.jobID = jobID
            self.lastID = lastID
            self.writer = writer
        }
    }

    private let store: JobStore
    private let logger: Logger
    private let lock = NSLock()
    private var streams: [Stream] = []
    private var running = true
    private let wake = DispatchSemaphore(value: 0)
    private var thread: Thread?

    init(store: JobStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func start() {
        let thread = Thread { [weak self] in
            while let self, self.isRunning {
                _ = self.wake.wait(timeout: .now() + 0.2)
                self.pump()
            }
        }
        thread.name = "sscl-events"
        thread.start()
        self.thread = thread
    }

    private var isRunning: Bool {
        lock.lock(); defer { lock.unlock() }
        return running
    }

    var count: Int {
        lock.lock(); defer { lock.unlock() }
        return streams.count
    }

    func add(jobID: String, after: Int64?, writer: EventStreamWriter) {
        _ = writer.sendRetry(milliseconds: 2000)
        lock.lock()
        streams.append(Stream(jobID: jobID, lastID: after, writer: writer))
        lock.unlock()
        wake.signal()
    }

    /// Closes every stream (server shutdown).
    func stop() {
        lock.lock()
        running = false
        let all = streams
        streams.removeAll()
        lock.unlock()
        wake.signal()
        for s in all { s.writer.close() }
    }

    private func pump() {
        lock.lock()
        let current = streams
        lock.unlock()
        var finished: [ObjectIdentifier] = []
        for stream in current {
            if stream.writer.isClosed {
                finished.append(ObjectIdentifier(stream))
                continue
            }
            do {
                var sentAll = false
                while true {
                    let events = try store.events(jobID: stream.jobID, afterID: stream.lastID, limit: 500)
                    for e in events {
                        guard stream.writer.send(event: e.type, id: String(e.id), data: e.dataJSON) else { break }
                        stream.lastID = e.id
                        stream.lastSent = Date()
                    }
                    if events.count < 500 { sentAll = true; break }
                }
                // The stream ends once its job is gone, or finished with its history sent.
                let job = try store.job(id: stream.jobID)
                if job == nil || (sentAll && job!.status.isFinished) {
                    stream.writer.close()
                    finished.append(ObjectIdentifier(stream))
                } else if Date().timeIntervalSince(stream.lastSent) > 15 {
                    _ = stream.writer.sendComment("keep-alive")
                    stream.lastSent = Date()
                }
            } catch {
                logger.error("event stream failed", metadata: ["job": "\(stream.jobID)", "error": "\(error)"])
                stream.writer.close()
                finished.append(ObjectIdentifier(stream))
            }
        }
        if !finished.isEmpty {
            let gone = Set(finished)
            lock.lock()
            streams.removeAll { gone.contains(ObjectIdentifier($0)) }
            lock.unlock()
        }
    }
}
