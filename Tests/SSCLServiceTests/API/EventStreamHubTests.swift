import Foundation
import Testing
import SSCLStore
@testable import SSCLService

/// The live path against the real server on real sockets: one client that goes away in the
/// middle of a long history must not stall any other stream nor keep a core busy; status
/// events carry the job head; REST snapshots give a cursor to continue the stream after.
@Suite(.serialized) struct EventStreamHubTests {
    /// A job written straight into the store (no worker): `batches` metric events, then finished.
    static func seedJob(_ store: JobStore, batches: Int, finish: Bool) throws -> String {
        guard case .created(let job) = try store.createJob(
            name: "seeded", priority: 0, maxRestarts: 0, submittedJSON: "{}", resolvedJSON: #"{"epochs":1}"#)
        else { throw StoreError.jobNotFound("seeded") }
        _ = try store.markStarted(id: job.id)
        for step in 1...max(1, batches) where batches > 0 {
            try store.appendMetrics(jobID: job.id, points: [
                MetricPoint(name: "loss", step: step, value: 1 / Double(step), time: Date()),
                MetricPoint(name: "lr", step: step, value: 0.1, time: Date()),
                MetricPoint(name: "images_per_s", step: step, value: 1000, time: Date()),
            ])
        }
        if finish { _ = try store.finish(id: job.id, status: .succeeded, resultJSON: #"{"knn_accuracy":0.5}"#) }
        return job.id
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    @Test func aClientLeavingMidHistoryStallsNoOtherStreamAndTheServerGoesIdle() throws {
        let f = try ServiceFixture(maxConcurrentJobs: 0)  // seeded jobs are written straight into the store: no worker may take them
        defer { f.stop() }
        let store = f.service.store
        let finished = try Self.seedJob(store, batches: 1200, finish: true)
        let live = try Self.seedJob(store, batches: 1, finish: false)

        let watcher = try StreamClient(port: f.port, path: "/v1/jobs/\(live)/events")
        defer { watcher.close() }
        #expect(watcher.read(until: "event: metric", timeout: 5), "the live stream sends its history")

        // Clients that read 300 bytes of a 1,200-event history and hang up (the issue's repro).
        for _ in 0..<5 {
            let quitter = try StreamClient(port: f.port, path: "/v1/jobs/\(finished)/events")
            #expect(quitter.read(atLeast: 300, timeout: 5))
            quitter.close()
        }
        // A client that never reads at all.
        let deaf = try StreamClient(port: f.port, path: "/v1/jobs/\(finished)/events", receiveBuffer: 4096)
        defer { deaf.close() }

        for round in 0..<3 {
            let marker = 5000 + round
            let sentAt = Date()
            try store.appendMetrics(jobID: live, points: [MetricPoint(name: "loss", step: marker, value: 0.25, time: Date())])
            #expect(watcher.read(until: "\"step\":\(marker)", timeout: 1), "round \(round): the other stream got the event within 1 s")
            #expect(Date().timeIntervalSince(sentAt) < 1)
        }

        // Idle again: over two seconds the whole process uses well under half a core.
        Thread.sleep(forTimeInterval: 0.5)
        let before = Self.processCPUSeconds()
        Thread.sleep(forTimeInterval: 2)
        let used = Self.processCPUSeconds() - before
        #expect(used < 1.0, "the server should be idle, used \(used) s of CPU in 2 s")
        // The finished job's full history still reaches a client that reads it all.
        let reader = try StreamClient(port: f.port, path: "/v1/jobs/\(finished)/events")
        defer { reader.close() }
        #expect(reader.readToEnd(timeout: 10))
        #expect(reader.text.components(separatedBy: "event: metric").count - 1 == 1200)
        #expect(reader.text.contains("\"status\":\"succeeded\""))
    }

    @Test func statusEventsCarryTheJobHeadAsTheJobDocumentShowsIt() throws {
        let f = try ServiceFixture(maxConcurrentJobs: 0)  // seeded jobs are written straight into the store: no worker may take them
        defer { f.stop() }
        let id = try Self.seedJob(f.service.store, batches: 3, finish: true)
        let events = try HTTPTestClient.request("GET", "\(f.base)/v1/jobs/\(id)/events").text
        let statuses = SSEText.events(events).filter { $0.type == "status" }
        #expect(statuses.map { $0.json["status"] as? String } == ["queued", "running", "succeeded"])
        let last = try #require(statuses.last?.json)
        let job = try HTTPTestClient.request("GET", "\(f.base)/v1/jobs/\(id)").json
        #expect(!last.isEmpty)
        for (key, value) in last {
            #expect(job.keys.contains(key), "the job document has \(key)")
            #expect("\(job[key] ?? "missing")" == "\(value)", "\(key): job \(job[key] ?? "missing") event \(value)")
        }
        #expect(last["finished_at"] is String && last["started_at"] is String && last["id"] as? String == id)
    }

    @Test func restSnapshotsGiveACursorToContinueTheStreamWithoutRepeats() throws {
        let f = try ServiceFixture(maxConcurrentJobs: 0)  // seeded jobs are written straight into the store: no worker may take them
        defer { f.stop() }
        let store = f.service.store
        let id = try Self.seedJob(store, batches: 5, finish: false)
        let metrics = try HTTPTestClient.request("GET", "\(f.base)/v1/jobs/\(id)/metrics").json
        let cursor = try #require(metrics["last_event_id"] as? Int)
        #expect(Int64(cursor) == (try store.lastEventID(jobID: id)))
        let job = try HTTPTestClient.request("GET", "\(f.base)/v1/jobs/\(id)").json
        #expect(job["last_event_id"] as? Int == cursor)
        let logs = try HTTPTestClient.request("GET", "\(f.base)/v1/jobs/\(id)/logs").json
        #expect(logs["last_event_id"] as? Int == cursor)

        try store.appendMetrics(jobID: id, points: [MetricPoint(name: "loss", step: 6, value: 0.1, time: Date())])
        _ = try store.finish(id: id, status: .succeeded, resultJSON: "{}")
        let rest = try HTTPTestClient.request("GET", "\(f.base)/v1/jobs/\(id)/events",
                                              headers: ["Last-Event-ID": String(cursor)]).text
        let events = SSEText.events(rest)
        #expect(events.map(\.type) == ["metric", "status"], "only what came after the snapshot")
        #expect(events.allSatisfy { (Int($0.id ?? "") ?? 0) > cursor })
    }

    @Test func shutdownWithStreamsOpenAndAClientNotReadingIsClean() throws {
        let f = try ServiceFixture(maxConcurrentJobs: 0)  // seeded jobs are written straight into the store: no worker may take them
        let id = try Self.seedJob(f.service.store, batches: 1500, finish: true)
        let live = try Self.seedJob(f.service.store, batches: 1, finish: false)
        let clients = try (0..<4).map { _ in
            try StreamClient(port: f.port, path: "/v1/jobs/\(id)/events", receiveBuffer: 4096)
        }
        let watcher = try StreamClient(port: f.port, path: "/v1/jobs/\(live)/events")
        #expect(watcher.read(until: "event: metric", timeout: 5))
        Thread.sleep(forTimeInterval: 0.3)
        let started = Date()
        f.stop()  // joins the event thread before the store closes; a read after close would crash this process
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(watcher.readToEnd(timeout: 5), "the live stream is ended by the shutdown")
        for c in clients { c.close() }
        watcher.close()
    }
}

/// A raw socket reading one Server-Sent Events response as it arrives.
final class StreamClient {
    private let fd: Int32
    private(set) var text = ""

    init(port: Int, path: String, headers: [String: String] = [:], receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
        for (k, v) in headers { request += "\(k): \(v)\r\n" }
        request += "\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until `predicate` holds, the server closes (returns the predicate) or the time is up.
    private func read(timeout: Double, _ predicate: () -> Bool) -> (matched: Bool, closed: Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !predicate() {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return (false, false) }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(left * 1000) + 1) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return (predicate(), true) }
            text += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        return (true, false)
    }

    func read(until needle: String, timeout: Double) -> Bool { read(timeout: timeout) { text.contains(needle) }.matched }
    func read(atLeast bytes: Int, timeout: Double) -> Bool { read(timeout: timeout) { text.utf8.count >= bytes }.matched }
    /// True when the server ended the response within the time.
    func readToEnd(timeout: Double) -> Bool { read(timeout: timeout) { false }.closed }
    func close() { Glibc.close(fd) }
}

/// Splits a Server-Sent Events body into its events (tests only read what the server wrote).
enum SSEText {
    struct Event {
        var type: String?
        var id: String?
        var data: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]) ?? [:] }
    }

    static func events(_ body: String) -> [Event] {
        let start = body.range(of: "\r\n\r\n").map { String(body[$0.upperBound...]) } ?? body
        return start.components(separatedBy: "\n\n").compactMap { block in
            var event = Event(data: "")
            var data: [String] = []
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { event.type = String(line.dropFirst(7)) }
                else if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
                else if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            event.data = data.joined(separator: "\n")
            return event.type == nil ? nil : event
        }
    }
}
