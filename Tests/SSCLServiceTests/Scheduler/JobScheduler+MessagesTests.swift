import Foundation
import SSCLEngine
import Testing
@testable import SSCLService

/// What the scheduler reads from workers: the real `sscl worker` output through the one
/// decoder, and the progress document it writes from step events, as the API serves it.
@Suite(.serialized) struct JobSchedulerMessagesTests {
    typealias C = HTTPTestClient

    /// Every line the worker writes on stdout is an event for the scheduler's reader (none
    /// falls back to a log line), and they are the events of its metrics.jsonl.
    @Test func theWorkersRealOutputIsReadAsEvents() throws {
        let dir = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = dir.appendingPathComponent("job.json")
        try Data(ServiceFixture.tinyJob().utf8).write(to: job)
        let out = dir.appendingPathComponent("out")
        let process = Process()
        process.executableURL = TestBinary.sscl
        process.arguments = ["worker", "--job", job.path, "--dir", out.path]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let bytes = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        var events: [TrainingEvent] = []
        for line in lines {
            do { events.append(try TrainingEvent(jsonLine: line)) } catch { Issue.record("\(error): \(line)") }
        }
        #expect(events.count == lines.count && events.count > 10)
        #expect(events.filter { $0.lineType == .step }.count == 8)
        #expect(events.last?.lineType == .result)
        #expect(try MetricsLog.read(from: out.appendingPathComponent("metrics.jsonl")).events == events)
    }

    /// The job's `progress` (REST) and its `progress` events decode as the `JobProgress` the
    /// scheduler built from the last step event; its result is the worker's, unchanged.
    @Test func stepEventsBecomeTheProgressTheAPIShows() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let created = try C.request("POST", "\(f.base)/v1/jobs", body: ServiceFixture.tinyJob())
        let id = try #require(created.json["id"] as? String)
        #expect(C.waitUntil(90) { (try? f.service.store.job(id: id))?.status.isFinished ?? false })
        #expect(try f.service.store.job(id: id)?.status == .succeeded)

        let file = try MetricsLog.read(from: f.service.scheduler.directory(of: id).appendingPathComponent("metrics.jsonl"))
        guard case let .step(last) = file.events.last(where: { $0.lineType == .step })?.kind else {
            Issue.record("no step in metrics.jsonl"); return
        }
        let expected = JobProgress(last)
        #expect(expected.step == 8 && expected.steps == 8 && expected.etaSeconds == 0)

        let body = try C.request("GET", "\(f.base)/v1/jobs/\(id)").body
        let object = try #require(JSONSerialization.jsonObject(with: body) as? [String: Any])
        let progress = try JSONSerialization.data(withJSONObject: try #require(object["progress"]))
        #expect(try JSONDecoder().decode(JobProgress.self, from: progress) == expected)
        let events = try f.service.store.events(jobID: id, limit: 10_000).filter { $0.type == "progress" }
        #expect(!events.isEmpty)
        #expect(try events.last.flatMap { try JobProgress(json: $0.dataJSON) } == expected)
        #expect(try events.allSatisfy { try JobProgress(json: $0.dataJSON) != nil })

        // The result the store keeps is byte for byte the object in the worker's result line.
        let stored = try #require(try f.service.store.job(id: id)?.resultJSON)
        let lines = try String(contentsOf: f.service.scheduler.directory(of: id).appendingPathComponent("metrics.jsonl"),
                               encoding: .utf8).split(separator: "\n")
        let resultLine = try #require(lines.last { $0.contains(#""type":"result""#) })
        #expect(resultLine.contains(#""result":"# + stored + ","))
        guard case let .result(result) = file.events.last?.kind else { Issue.record("no result event"); return }
        #expect(stored == result.json())
    }
}
