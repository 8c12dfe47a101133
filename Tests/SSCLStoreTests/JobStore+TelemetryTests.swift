import Foundation
import Testing
@testable import SSCLStore

@Suite struct JobStoreTelemetryTests {
    private func runningJob(_ store: JobStore) throws -> JobRecord {
        try store.markStarted(id: try store.makeJob().id)
    }

    @Test(arguments: StoreEngine.available) func storesAThousandPointsInOneFastTransaction(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let job = try runningJob(store)
        let time = RFC3339.truncatedToMilliseconds(Date())
        let points = (0..<1000).map { MetricPoint(name: ["loss", "lr", "images_per_s", "knn_accuracy"][$0 % 4], step: $0 / 4, value: Double($0), time: time) }
        let eventsBefore = try store.events(jobID: job.id, limit: 100).count
        let clock = ContinuousClock()
        let elapsed = try clock.measure { try store.appendMetrics(jobID: job.id, points: points) }
        #expect(elapsed < .seconds(1), "\(elapsed)")
        let series = try store.metrics(jobID: job.id)
        #expect(series.values.map(\.count).reduce(0, +) == 1000)
        #expect(series["lr"]?.first == MetricPoint(name: "lr", step: 0, value: 1, time: time))
        let events = try store.events(jobID: job.id, limit: 100)
        #expect(events.count == eventsBefore + 1 && events.last?.type == "metric")

        // All or nothing: a bad point (negative step) rolls the whole batch back.
        let bad = [MetricPoint(name: "loss", step: 1000, value: 1, time: time), MetricPoint(name: "loss", step: -1, value: 1, time: time)]
        #expect(throws: (any Error).self) { try store.appendMetrics(jobID: job.id, points: bad) }
        #expect(try store.metrics(jobID: job.id, names: ["loss"], afterStep: 249).isEmpty)
        #expect(try store.events(jobID: job.id, limit: 100).count == events.count)
    }

    @Test(arguments: StoreEngine.available) func filtersByNameAndAfterStepExclusively(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let job = try runningJob(store)
        let time = RFC3339.truncatedToMilliseconds(Date())
        let steps = [5, 1, 3, 0, 4, 2]
        try store.appendMetrics(jobID: job.id, points: steps.flatMap { step in
            ["loss", "lr", "alignment"].map { MetricPoint(name: $0, step: step, value: Double(step) / 10, time: time) }
        })
        let filtered = try store.metrics(jobID: job.id, names: ["loss", "lr"], afterStep: 2)
        #expect(Set(filtered.keys) == ["loss", "lr"])
        #expect(filtered["loss"]?.map(\.step) == [3, 4, 5])
        #expect(try store.metrics(jobID: job.id, names: [])["alignment"]?.map(\.step) == [0, 1, 2, 3, 4, 5])
        #expect(try store.metrics(jobID: job.id, afterStep: 5).isEmpty)
        #expect(try store.metrics(jobID: "job_0000000000000").isEmpty)
        #expect(throws: StoreError.jobNotFound("job_0000000000000")) {
            try store.appendMetrics(jobID: "job_0000000000000", points: [MetricPoint(name: "x", step: 0, value: 0, time: time)])
        }
    }

    @Test(arguments: StoreEngine.available) func latestValuesAndReplacedAndNaNPoints(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let job = try runningJob(store)
        let now = Date()
        try store.appendMetrics(jobID: job.id, points: [
            MetricPoint(name: "loss", step: 10, value: 2, time: now), MetricPoint(name: "loss", step: 20, value: 1, time: now),
            MetricPoint(name: "lr", step: 20, value: 0.1, time: now), MetricPoint(name: "knn_accuracy", step: 10, value: .nan, time: now),
        ])
        let latest = try store.latestMetrics(jobID: job.id)
        #expect(latest.filter { !$0.value.isNaN } == ["loss": 1, "lr": 0.1])
        #expect(latest["knn_accuracy"]?.isNaN == true)
        // A resumed run re-records step 20: the new value replaces the old one.
        try store.appendMetrics(jobID: job.id, points: [MetricPoint(name: "loss", step: 20, value: 0.5, time: now)])
        #expect(try store.metrics(jobID: job.id, names: ["loss"])["loss"]?.map(\.value) == [2, 0.5])
        #expect(try store.latestMetrics(jobID: job.id)["loss"] == 0.5)
        let metricEvent = try #require(try store.events(jobID: job.id, limit: 10).first { $0.type == "metric" })
        #expect(metricEvent.dataJSON.contains(#""name":"knn_accuracy","step":10,"#) && metricEvent.dataJSON.contains(#""value":null"#))
    }

    @Test(arguments: StoreEngine.available) func eventIdsIncreaseAcrossJobsAndResumeAfterAnId(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let a = try runningJob(store)
        let b = try runningJob(store)
        try store.updateProgress(id: a.id, progressJSON: #"{"epoch":1,"epochs":2}"#)
        try store.appendLog(jobID: b.id, lines: ["b1"])
        try store.appendLog(jobID: a.id, lines: ["a1", "a2"])
        try store.appendMetrics(jobID: a.id, points: [MetricPoint(name: "loss", step: 1, value: 1, time: Date())])
        let all = try store.events(jobID: a.id, limit: 100)
        #expect(all.map(\.type) == ["status", "status", "progress", "log", "log", "metric"])
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.id < $1.id })
        #expect(all.allSatisfy { $0.jobID == a.id })
        #expect(try store.events(jobID: a.id, afterID: all[2].id, limit: 100) == Array(all[3...]))
        #expect(try store.events(jobID: a.id, afterID: all[0].id, limit: 2) == Array(all[1...2]))
        #expect(try store.events(jobID: a.id, afterID: all.last!.id, limit: 100).isEmpty)
        let bEvents = try store.events(jobID: b.id, limit: 100)
        #expect(bEvents.last?.id ?? 0 < all[4].id && bEvents.last?.id ?? 0 > all[2].id)
        #expect(try store.job(id: a.id)?.progressJSON == #"{"epoch":1,"epochs":2}"#)
        #expect(all[2].dataJSON == #"{"epoch":1,"epochs":2}"#)
        #expect(throws: StoreError.jobNotFound("job_0000000000000")) { try store.updateProgress(id: "job_0000000000000", progressJSON: "{}") }
    }

    @Test(arguments: StoreEngine.available) func logsPageByIdAndEachLineIsAnEvent(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let job = try runningJob(store)
        let written = try store.appendLog(jobID: job.id, lines: (0..<10).map { "line \($0) \u{1F680} \"quoted\"" })
        #expect(try store.logs(jobID: job.id, limit: 100) == written)
        #expect(try store.logs(jobID: job.id, afterID: written[6].id, limit: 100).map(\.line) == written[7...].map(\.line))
        #expect(try store.logs(jobID: job.id, afterID: written[0].id, limit: 3) == Array(written[1...3]))
        let logEvents = try store.events(jobID: job.id, limit: 100).filter { $0.type == "log" }
        #expect(logEvents.count == 10)
        let decoded = try JSONSerialization.jsonObject(with: Data(logEvents[0].dataJSON.utf8)) as? [String: Any]
        #expect(decoded?["line"] as? String == written[0].line)
        #expect((decoded?["id"] as? NSNumber)?.int64Value == written[0].id)
    }
}
