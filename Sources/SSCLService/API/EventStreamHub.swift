import Foundation
import Logging
import SSCLHTTP
import SSCLStore

/// Feeds every open `/events` stream from the store's event table, on one thread of its own.
///
/// It wakes when the store commits events (its observer), not on a timer; each round gives
/// every stream at most `batch` events, so a long history is sent in turns and never holds up
/// the others. A stream whose client reads slowly gets nothing more while `maxUnwrittenBytes`
/// of it wait for the socket; one that has not taken a byte for `stallTimeout` is dropped
/// with a reason in the log. A stream ends once its job has finished and all was sent.
final class EventStreamHub: @unchecked Sendable {
    struct Limits: Sendable {
        /// Events per stream per round.
        var batch = 200
        /// Bytes a stream may have waiting for its socket before it is skipped for a round.
        var maxUnwrittenBytes = 256 << 10
        /// A stream over `maxUnwrittenBytes` whose backlog has not shrunk for this long is dropped.
        var stallTimeout: Double = 30
        /// A comment line after this long without an event, so proxies and clients see a live connection.
        var keepAliveInterval: Double = 15
    }

    private final class Stream {
        let jobID: String
        let writer: EventStreamWriter
        var lastID: Int64?
        var lastSent = ProcessInfo.processInfo.systemUptime
        /// More may be in the store than was sent (new events, or a batch left over).
        var pending = true
        /// When the backlog last shrank or was under the limit.
        var lastDrained = ProcessInfo.processInfo.systemUptime
        var lastBacklog = 0

        init(jobID: String, lastID: Int64?, writer: EventStreamWriter) {
            self.jobID = jobID
            self.lastID = lastID
            self.writer = writer
        }
    }

    private struct State {
        var streams: [Stream] = []
        /// Jobs with events committed since the pump last looked.
        var changedJobs: Set<String> = []
        var running = false
    }

    private let store: JobStore
    private let logger: Logger
    private let limits: Limits
    private let state = NSLock()
    private var shared = State()
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private var started = false

    init(store: JobStore, logger: Logger, limits: Limits = Limits()) {
        self.store = store
        self.logger = logger
        self.limits = limits
        store.observeEvents { [weak self] jobID in self?.jobChanged(jobID) }
    }

    func start() {
        state.withLock { shared.running = true }
        started = true
        let thread = Thread { [self] in
            while state.withLock({ shared.running }) {
                let busy = pump()
                // Woken by new events or a new stream; a short nap while some stream waits on
                // its socket or has history left, else a longer one for keep-alives.
                _ = wake.wait(timeout: .now() + (busy ? 0.05 : 1))
            }
            finished.signal()
        }
        thread.name = "sscl-events"
        thread.start()
    }

    var count: Int {
        state.withLock { shared.streams.count }
    }

    func add(jobID: String, after: Int64?, writer: EventStreamWriter) {
        _ = writer.sendRetry(milliseconds: 2000)
        let accepted = state.withLock {
            if shared.running { shared.streams.append(Stream(jobID: jobID, lastID: after, writer: writer)) }
            return shared.running
        }
        if accepted { wake.signal() } else { writer.close() }
    }

    /// Ends the pump thread (waiting for it, so no store read runs after this returns) and
    /// closes every stream. Call before the store closes.
    func stop() {
        let all = state.withLock {
            shared.running = false
            defer { shared.streams.removeAll() }
            return shared.streams
        }
        wake.signal()
        if started {
            if finished.wait(timeout: .now() + 10) == .timedOut {
                logger.error("the event stream thread did not stop within 10 s")
            }
            started = false
        }
        for stream in all { stream.writer.close() }
    }

    private func jobChanged(_ jobID: String) {
        let watched = state.withLock {
            shared.changedJobs.insert(jobID)
            return shared.streams.contains { $0.jobID == jobID }
        }
        if watched { wake.signal() }
    }

    /// One round over every stream; true if some stream still has work (history left, or
    /// bytes waiting for its socket).
    private func pump() -> Bool {
        let (streams, changed) = state.withLock {
            defer { shared.changedJobs.removeAll() }
            return (shared.streams, shared.changedJobs)
        }
        var gone: [ObjectIdentifier] = []
        var busy = false
        let now = ProcessInfo.processInfo.systemUptime
        for stream in streams {
            if changed.contains(stream.jobID) { stream.pending = true }
            switch serve(stream, now: now) {
            case .done: gone.append(ObjectIdentifier(stream))
            case .busy: busy = true
            case .idle: break
            }
        }
        if !gone.isEmpty {
            let drop = Set(gone)
            state.withLock { shared.streams.removeAll { drop.contains(ObjectIdentifier($0)) } }
        }
        return busy
    }

    private enum Outcome { case done, busy, idle }

    private func serve(_ stream: Stream, now: Double) -> Outcome {
        let writer = stream.writer
        if writer.isClosed { return .done }
        let backlog = writer.unwrittenBytes
        if backlog > limits.maxUnwrittenBytes {
            if backlog < stream.lastBacklog { stream.lastDrained = now }
            stream.lastBacklog = backlog
            if now - stream.lastDrained > limits.stallTimeout {
                logger.warning("dropping an event stream: its client has not read for \(Int(limits.stallTimeout)) s",
                               metadata: ["job": "\(stream.jobID)", "unwritten_bytes": "\(backlog)"])
                writer.close()
                return .done
            }
            return .busy
        }
        stream.lastDrained = now
        stream.lastBacklog = backlog
        guard stream.pending else {
            if now - stream.lastSent > limits.keepAliveInterval {
                guard writer.sendComment("keep-alive") else { return .done }
                stream.lastSent = now
            }
            return .idle
        }
        do {
            // The status first: events committed before a finish are then all in the read below.
            let job = try store.job(id: stream.jobID)
            let events = try store.events(jobID: stream.jobID, afterID: stream.lastID, limit: limits.batch)
            for event in events {
                guard writer.send(event: event.type, id: String(event.id), data: event.dataJSON) else { return .done }
                stream.lastID = event.id
                stream.lastSent = now
            }
            let caughtUp = events.count < limits.batch
            stream.pending = !caughtUp
            if caughtUp && (job?.status.isFinished ?? true) {
                writer.close()
                return .done
            }
            return caughtUp ? .idle : .busy
        } catch {
            logger.error("event stream failed", metadata: ["job": "\(stream.jobID)", "error": "\(error)"])
            writer.close()
            return .done
        }
    }
}
