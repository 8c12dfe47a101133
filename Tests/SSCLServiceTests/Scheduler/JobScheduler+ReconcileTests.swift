import Foundation
import Logging
import Testing
@testable import SSCLService
import SSCLStore

/// The database lost its last writes (a deleted `-wal` after a kill -9): the job folders say
/// which jobs finished, and which folders belong to no job.
@Suite struct JobSchedulerReconcileTests {
    /// `result.json` as a worker writes it (pretty, sorted keys).
    static let resultFile = """
        {
          "alignment" : 0.5,
          "baseline_knn_accuracy" : 0.25,
          "baseline_linear_accuracy" : null,
          "blas_core" : "Haswell",
          "dataset" : "fashion-mnist-mini",
          "epochs" : 2,
          "eval_seconds" : 0.5,
          "final_loss" : 3.25,
          "gain_over_random" : 0.5,
          "gain_over_raw" : 0.25,
          "images_per_s" : 1000.5,
          "knn_accuracy" : 0.75,
          "linear_accuracy" : 0.5,
          "raw_knn_accuracy" : 0.5,
          "representation_size" : 32,
          "sample_knn_accuracy" : 0.75,
          "sample_test_count" : 100,
          "sample_train_count" : 128,
          "seconds" : 1.5,
          "steps" : 8,
          "test_count" : 100,
          "threads" : 1,
          "train_count" : 128,
          "uniformity" : -2.5,
          "version" : "test",
          "warnings" : [

          ]
        }
        """

    @Test func aJobWhoseFolderHoldsItsResultIsNotRunAgainAndOrphanFoldersAreReported() throws {
        let root = try TestBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let runs = root.appendingPathComponent("runs")
        let log = LogCapture()
        let logger = Logger(label: "test") { _ in log }
        let store = try JobStore(path: root.appendingPathComponent("db.sqlite").path,
                                 migrations: ServiceFixture.repository.appendingPathComponent("migrations"), logger: logger)
        func make(_ name: String) throws -> JobRecord {
            guard case let .created(job) = try store.createJob(
                name: name, priority: 0, maxRestarts: 0, submittedJSON: "{}", resolvedJSON: #"{"name":"\#(name)"}"#)
            else { throw StoreError.jobNotFound(name) }
            return job
        }
        let queuedDone = try make("queued-but-finished")
        let runningDone = try store.markStarted(id: try make("running-but-finished").id)
        let fresh = try make("really-queued")
        for job in [queuedDone, runningDone] {
            let dir = runs.appendingPathComponent(job.id)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(Self.resultFile.utf8).write(to: dir.appendingPathComponent("result.json"))
        }
        let orphan = runs.appendingPathComponent("job_0000000000000")
        try FileManager.default.createDirectory(at: orphan, withIntermediateDirectories: true)

        // A stand-in worker that only records which job it was started for.
        let started = root.appendingPathComponent("started.txt")
        let worker = root.appendingPathComponent("fake-sscl")
        try Data("#!/bin/sh\necho \"$5\" >> '\(started.path)'\n".utf8).write(to: worker)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: worker.path)
        let scheduler = JobScheduler(configuration: .init(executable: worker, runsDirectory: runs, dataDirectory: nil),
                                     store: store, logger: logger)
        try scheduler.start()
        defer { scheduler.shutdown() }
        // The really queued job runs (and, its worker being a stand-in, fails).
        var end: JobRecord?
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            end = try store.job(id: fresh.id)
            if end?.status.isFinished == true { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(end?.status == .failed)

        let workersStarted = try String(contentsOf: started, encoding: .utf8).split(separator: "\n")
        #expect(workersStarted == [Substring(runs.appendingPathComponent(fresh.id).path)], "only the unfinished job ran")
        let expected = try JSONSerialization.jsonObject(with: Data(Self.resultFile.utf8)) as? NSDictionary
        for (job, attempt) in [(queuedDone, 0), (runningDone, 1)] {
            let now = try #require(try store.job(id: job.id))
            #expect(now.status == .succeeded && now.attempt == attempt && now.finishedAt != nil && now.startedAt != nil)
            let stored = try JSONSerialization.jsonObject(with: Data((now.resultJSON ?? "").utf8)) as? NSDictionary
            #expect(stored == expected, "the result is the folder's result.json")
            let lines = try store.logs(jobID: job.id, limit: 10).map(\.line)
            #expect(lines.contains { $0.contains("result.json") }, "\(lines)")
        }
        let orphanReport = log.records.first { $0.message.contains("orphan job folder") }
        #expect(orphanReport?.metadata.contains(orphan.path) == true, "\(log.records)")
        #expect(log.records.contains { $0.message.contains("reconciled") && $0.metadata.contains("\"succeeded_from_result_file\": 2") },
                "\(log.records)")
    }
}

/// Every log record, with its metadata printed.
private final class LogCapture: LogHandler, @unchecked Sendable {
    struct Record { var message: String; var metadata: String }
    private let lock = NSLock()
    private var stored: [Record] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var records: [Record] { lock.withLock { stored } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let text = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        lock.withLock { stored.append(Record(message: "\(event.message)", metadata: text)) }
    }
}
