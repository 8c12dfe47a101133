import Foundation
import Testing
@testable import SSCLStore

@Suite struct JobStoreTransitionsTests {
    @Test(arguments: StoreEngine.available) func startingCountsTheAttempt(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let job = try store.makeJob()
        let running = try store.markStarted(id: job.id)
        #expect(running.status == .running && running.attempt == 1 && running.startedAt != nil)
        #expect(throws: StoreError.illegalTransition(jobID: job.id, from: .running, to: "start")) {
            try store.markStarted(id: job.id)
        }
        #expect(throws: StoreError.jobNotFound("job_0000000000000")) { try store.markStarted(id: "job_0000000000000") }
        let statuses = try store.events(jobID: job.id, limit: 10).filter { $0.type == "status" }.map(\.dataJSON)
        let snapshot = try JobStatusSnapshot.decode(try #require(statuses.last))
        #expect(snapshot == JobStatusSnapshot(running))
        #expect(snapshot.status == .running && snapshot.attempt == 1 && snapshot.startedAt != nil && snapshot.finishedAt == nil)
    }

    @Test(arguments: StoreEngine.available) func finishingRecordsResultOrError(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let a = try store.markStarted(id: try store.makeJob().id)
        let done = try store.finish(id: a.id, status: .succeeded, resultJSON: #"{"knn":0.91}"#)
        #expect(done.status == .succeeded && done.finishedAt != nil && done.resultJSON == #"{"knn":0.91}"#)
        #expect(throws: StoreError.self) { try store.finish(id: a.id, status: .failed) }

        let b = try store.markStarted(id: try store.makeJob().id)
        let failed = try store.finish(id: b.id, status: .failed, errorCode: "worker_crashed", errorMessage: "signal 9")
        #expect(failed.errorCode == "worker_crashed" && failed.errorMessage == "signal 9")
        let failedEvent = try JobStatusSnapshot.decode(try #require(try store.events(jobID: b.id, limit: 10).last?.dataJSON))
        #expect(failedEvent == JobStatusSnapshot(failed))
        #expect(failedEvent.status == .failed && failedEvent.finishedAt != nil
                && failedEvent.error == .init(code: "worker_crashed", message: "signal 9"))

        let queued = try store.makeJob()
        #expect(throws: StoreError.illegalTransition(jobID: queued.id, from: .queued, to: "finish as succeeded")) {
            try store.finish(id: queued.id, status: .succeeded)
        }
        #expect(throws: StoreError.illegalTransition(jobID: queued.id, from: .queued, to: "finish as running")) {
            try store.finish(id: queued.id, status: .running)
        }
        #expect(try store.finish(id: queued.id, status: .cancelled).status == .cancelled)
    }

    @Test(arguments: StoreEngine.available) func restartsAreCountedAgainstTheLimit(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let job = try store.makeJob(maxRestarts: 1)
        _ = try store.markStarted(id: job.id)
        let restarted = try store.requeue(id: job.id, resumeFromCheckpoint: true, countsAsRestart: true)
        #expect(restarted.status == .queued && restarted.restartsUsed == 1 && restarted.resumeFromCheckpoint)
        #expect(try store.markStarted(id: job.id).attempt == 2)
        #expect(throws: StoreError.restartLimitReached(jobID: job.id, maxRestarts: 1)) {
            try store.requeue(id: job.id, resumeFromCheckpoint: true, countsAsRestart: true)
        }
        #expect(try store.job(id: job.id)?.status == .running)
        let failed = try store.finish(id: job.id, status: .failed, errorCode: "restarts_exhausted", errorMessage: "died twice")

        // A retry brings the job back with a fresh restart budget and no error.
        #expect(throws: StoreError.self) { try store.requeue(id: job.id, resumeFromCheckpoint: true, countsAsRestart: true) }
        let retried = try store.requeue(id: failed.id, resumeFromCheckpoint: true, countsAsRestart: false)
        #expect(retried.status == .queued && retried.restartsUsed == 0 && retried.errorCode == nil && retried.finishedAt == nil)
        #expect(try store.markStarted(id: job.id).attempt == 3)

        let succeeded = try store.finish(id: job.id, status: .succeeded)
        #expect(throws: StoreError.self) { try store.requeue(id: succeeded.id, resumeFromCheckpoint: false, countsAsRestart: false) }
    }

    @Test(arguments: StoreEngine.available) func aFreshRetryDropsProgressAndMetricsAResumedOneKeepsThem(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let job = try store.markStarted(id: try store.makeJob().id)
        try store.updateProgress(id: job.id, progressJSON: #"{"step":5}"#)
        try store.appendMetrics(jobID: job.id, points: [MetricPoint(name: "loss", step: 5, value: 1, time: Date())])
        _ = try store.finish(id: job.id, status: .cancelled)

        let resumed = try store.requeue(id: job.id, resumeFromCheckpoint: true, countsAsRestart: false)
        #expect(resumed.progressJSON == #"{"step":5}"#)
        #expect(try store.metrics(jobID: job.id)["loss"]?.count == 1)

        _ = try store.markStarted(id: job.id)
        _ = try store.finish(id: job.id, status: .cancelled)
        let fresh = try store.requeue(id: job.id, resumeFromCheckpoint: false, countsAsRestart: false)
        #expect(fresh.progressJSON == nil && !fresh.resumeFromCheckpoint)
        #expect(try store.metrics(jobID: job.id).isEmpty)
    }

    @Test(arguments: StoreEngine.available) func recoveryRequeuesRunningJobsToResume(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let running = try store.markStarted(id: try store.makeJob(name: "running").id)
        let cancelling = try store.markStarted(id: try store.makeJob(name: "cancelling").id)
        try store.setCancelRequested(id: cancelling.id)
        #expect(try store.job(id: cancelling.id)?.cancelRequested == true)
        let queued = try store.makeJob(name: "queued")

        let recovered = try store.recoverInterruptedJobs()
        #expect(recovered.map(\.id) == [running.id, cancelling.id])
        let requeued = try #require(try store.job(id: running.id))
        #expect(requeued.status == .queued && requeued.resumeFromCheckpoint && requeued.restartsUsed == 0)
        let cancelled = try #require(try store.job(id: cancelling.id))
        #expect(cancelled.status == .cancelled && cancelled.finishedAt != nil && !cancelled.cancelRequested)
        #expect(try store.job(id: queued.id) == queued)
        let requeuedEvent = try JobStatusSnapshot.decode(try #require(try store.events(jobID: running.id, limit: 10).last?.dataJSON))
        #expect(requeuedEvent == JobStatusSnapshot(requeued))
        #expect(requeuedEvent.status == .queued && requeuedEvent.attempt == 1 && requeuedEvent.resumeFromCheckpoint)
        #expect(try store.markStarted(id: running.id).attempt == 2)
        #expect(try store.recoverInterruptedJobs().map(\.id) == [running.id])
    }

    @Test(arguments: StoreEngine.available) func aQueuedOrRunningJobFinishesFromItsResultFile(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let queued = try store.makeJob(name: "queued")
        let running = try store.markStarted(id: try store.makeJob(name: "running").id)
        try store.setCancelRequested(id: running.id)
        let finished = try store.markStarted(id: try store.makeJob(name: "finished").id)
        _ = try store.finish(id: finished.id, status: .failed, errorCode: "x")

        let a = try store.finishFromResultFile(id: queued.id, resultJSON: #"{"knn_accuracy":0.5}"#)
        #expect(a.status == .succeeded && a.resultJSON == #"{"knn_accuracy":0.5}"#)
        #expect(a.attempt == 0 && a.startedAt != nil && a.startedAt == a.finishedAt, "a job never started gets its times")
        let b = try store.finishFromResultFile(id: running.id, resultJSON: "{}")
        #expect(b.status == .succeeded && b.attempt == 1 && b.startedAt == running.startedAt && !b.cancelRequested)
        #expect(try store.events(jobID: b.id, limit: 10).last?.dataJSON.contains(#""status":"succeeded""#) == true)
        #expect(throws: StoreError.illegalTransition(jobID: finished.id, from: .failed, to: "finish from its result file")) {
            try store.finishFromResultFile(id: finished.id, resultJSON: "{}")
        }
        #expect(try store.statusesByID() == [queued.id: .succeeded, running.id: .succeeded, finished.id: .failed])
    }

    @Test(arguments: StoreEngine.available) func onlyRunningJobsTakeACancelRequest(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let job = try store.makeJob()
        #expect(throws: StoreError.illegalTransition(jobID: job.id, from: .queued, to: "request cancel")) {
            try store.setCancelRequested(id: job.id)
        }
        _ = try store.markStarted(id: job.id)
        let requested = try store.setCancelRequested(id: job.id)
        #expect(requested.status == .running && requested.cancelRequested)
        let event = try #require(try store.events(jobID: job.id, limit: 10).last)
        #expect(event.type == "status" && event.dataJSON.contains(#""cancel_requested":true"#), "a live page learns of the request")
        let cancelled = try store.finish(id: job.id, status: .cancelled)
        #expect(!cancelled.cancelRequested)
    }

    @Test(arguments: StoreEngine.available) func deletingAFinishedJobCascades(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        guard case .created(let job) = try store.createJob(
            name: "a", priority: 0, maxRestarts: 0, submittedJSON: "{}", resolvedJSON: "{}", idempotencyKey: "k", bodySHA256: "h")
        else { Issue.record("not created"); return }
        let other = try store.markStarted(id: try store.makeJob().id)
        _ = try store.markStarted(id: job.id)
        try store.appendMetrics(jobID: job.id, points: [MetricPoint(name: "loss", step: 0, value: 1, time: Date())])
        try store.appendLog(jobID: job.id, lines: ["hello"])
        try store.appendLog(jobID: other.id, lines: ["other"])
        #expect(throws: StoreError.illegalTransition(jobID: job.id, from: .running, to: "delete")) { try store.deleteJob(id: job.id) }
        _ = try store.finish(id: job.id, status: .succeeded)

        #expect(try store.deleteJob(id: job.id))
        #expect(try !store.deleteJob(id: job.id))
        #expect(try store.job(id: job.id) == nil)
        #expect(try store.metrics(jobID: job.id).isEmpty)
        #expect(try store.events(jobID: job.id, limit: 10).isEmpty)
        #expect(try store.logs(jobID: job.id, limit: 10).isEmpty)
        #expect(try store.logs(jobID: other.id, limit: 10).map(\.line) == ["other"])
        // The key went with the job.
        guard case .created = try store.createJob(
            name: "a", priority: 0, maxRestarts: 0, submittedJSON: "{}", resolvedJSON: "{}", idempotencyKey: "k", bodySHA256: "other")
        else { Issue.record("key not freed"); return }
    }
}
