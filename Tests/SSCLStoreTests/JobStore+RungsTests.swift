import Foundation
import GRDB
import Testing
@testable import SSCLStore

/// ASHA's state in the store: rung results recorded once, decisions and their effect on
/// queued trials in one transaction, `pruned` transitions, and the migration that added them.
@Suite struct JobStoreRungsTests {
    /// 2 configurations × 2 seeds.
    private func sweep(_ store: JobStore) throws -> (SweepRecord, [JobRecord]) {
        try store.createSweep(name: "s", submittedJSON: "{}", resolvedJSON: "{}", maxConcurrent: 4,
                              trials: JobStoreSweepsTests.trials(4))
    }

    /// The rule under test here is a stand-in: configuration 1 is pruned at rung 0 once both
    /// its seeds are in; everything else is promoted.
    private func rule(_ snapshot: RungSnapshot) -> [NewRungDecision] {
        let decided = Set(snapshot.decisions.map { "\($0.configuration)/\($0.rung)" })
        var made: [NewRungDecision] = []
        for c in 0...1 {
            let values = snapshot.results.filter { $0.configuration == c && $0.rung == 0 }.map(\.value)
            if values.count == 2 && !decided.contains("\(c)/0") {
                made.append(NewRungDecision(configuration: c, rung: 0, value: values.reduce(0, +) / 2, decision: c == 1 ? "prune" : "promote"))
            }
        }
        return made
    }

    @Test(arguments: StoreEngine.available) func resultsAreRecordedOnceAndDecisionsPruneQueuedTrials(_ engine: StoreEngine) throws {
        let dir = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: dir)
        let (sweep, jobs) = try sweep(store)
        // Trials 0, 2, 3 run; trial 1 (configuration 0) waits in the queue.
        for i in [0, 2, 3] { _ = try store.markStarted(id: jobs[i].id) }
        var settled = try store.settleRungs(sweepID: sweep.id, recording: NewRungResult(
            jobID: jobs[2].id, configuration: 1, rung: 0, epoch: 1, value: 0.4), decide: rule)
        #expect(settled.decisions.isEmpty)
        // A repeat after a resume keeps the first value.
        settled = try store.settleRungs(sweepID: sweep.id, recording: NewRungResult(
            jobID: jobs[2].id, configuration: 1, rung: 0, epoch: 2, value: 0.9), decide: rule)
        #expect(try store.rungSnapshot(sweepID: sweep.id).results.map(\.value) == [0.4])
        settled = try store.settleRungs(sweepID: sweep.id, recording: NewRungResult(
            jobID: jobs[3].id, configuration: 1, rung: 0, epoch: 1, value: 0.5), decide: rule)
        #expect(settled.decisions == [SweepDecisionRecord(configuration: 1, rung: 0, sequence: 0, value: 0.45, decision: "prune")])
        #expect(Set(settled.runningToStop) == [jobs[2].id, jobs[3].id] && settled.prunedQueued.isEmpty)
        let snapshot = try store.rungSnapshot(sweepID: sweep.id)
        #expect(snapshot.results.map(\.sequence) == [0, 1] && snapshot.results.map(\.epoch) == [1, 1])

        // The scheduler stops the running trials and ends them pruned: running → pruned.
        let pruned = try store.finish(id: jobs[2].id, status: .pruned)
        #expect(pruned.status == .pruned && pruned.finishedAt != nil && pruned.status.isFinished)
        let events = try store.events(jobID: jobs[2].id, limit: 1000)
        #expect(events.last?.type == "status" && events.last?.dataJSON.contains(#""status":"pruned""#) == true)
        // Pruned is an end: neither retried nor restarted.
        #expect(throws: StoreError.self) { try store.requeue(id: jobs[2].id, resumeFromCheckpoint: true, countsAsRestart: false) }
        #expect(throws: StoreError.self) { try store.markStarted(id: jobs[2].id) }
    }

    @Test(arguments: StoreEngine.available) func aPruneDecisionEndsTheQueuedTrialsInTheSameTransaction(_ engine: StoreEngine) throws {
        let dir = try TemporaryDirectory(engine)
        var store = try JobStore.make(in: dir)
        let (sweep, jobs) = try sweep(store)
        _ = try store.markStarted(id: jobs[2].id)
        _ = try store.settleRungs(sweepID: sweep.id, recording: NewRungResult(
            jobID: jobs[2].id, configuration: 1, rung: 0, epoch: 1, value: 0.4), decide: rule)
        // Seed 1 of configuration 1 is still queued: a stand-in rule that prunes at once.
        let settled = try store.settleRungs(sweepID: sweep.id) { snapshot in
            snapshot.decisions.isEmpty ? [NewRungDecision(configuration: 1, rung: 0, value: 0.4, decision: "prune")] : []
        }
        #expect(settled.prunedQueued.map(\.id) == [jobs[3].id] && settled.runningToStop == [jobs[2].id])
        #expect(try store.job(id: jobs[3].id)?.status == .pruned)
        #expect(try store.job(id: jobs[3].id)?.finishedAt != nil)
        #expect(try store.queuedJobs().map(\.id) == [jobs[0].id, jobs[1].id], "a pruned trial never runs")
        // queued → pruned directly is allowed too (the scheduler's startup settle uses the same path).
        #expect(try store.finish(id: jobs[0].id, status: .pruned).status == .pruned)

        // Reopened (a restarted server): the same state, and settling again decides nothing new.
        try store.close()
        store = try JobStore.make(in: dir)
        let again = try store.settleRungs(sweepID: sweep.id) { _ in [] }
        #expect(again.decisions.isEmpty && again.prunedQueued.isEmpty && again.runningToStop == [jobs[2].id])
        #expect(try store.rungSnapshot(sweepID: sweep.id).decisions.map(\.decision) == ["prune"])
    }

    /// 0007 rebuilds `job` to allow `pruned`: the jobs, and their metrics, events, logs and
    /// keys (which cascade from `job`), survive it.
    @Test func theMigrationThatAddsPrunedKeepsEveryJobAndItsRows() throws {
        let dir = TemporaryDirectory()
        let all = try FileManager.default.contentsOfDirectory(at: JobStore.repositoryMigrations, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
        let before = dir.file("before-0007")
        try FileManager.default.createDirectory(at: before, withIntermediateDirectories: true)
        for file in all where Int(file.lastPathComponent.prefix(4)) ?? 0 < 7 {
            try FileManager.default.copyItem(at: file, to: before.appendingPathComponent(file.lastPathComponent))
        }
        let path = dir.file("jobs.sqlite").path
        var store = try JobStore(path: path, migrations: before, logger: JobStore.silentLogger)
        let job = try store.makeJob(name: "old")
        try store.appendMetrics(jobID: job.id, points: [MetricPoint(name: "loss", step: 1, value: 0.5, time: Date())])
        _ = try store.appendLog(jobID: job.id, lines: ["hello"])
        let (sweep, trials) = try sweep(store)
        let eventsBefore = try store.events(jobID: job.id, limit: 1000).count
        #expect(throws: (any Error).self) {
            try store.sqlitePool.write { db in try db.execute(sql: "UPDATE job SET status = 'pruned', finished_at = 'x' WHERE id = ?", arguments: [job.id]) }
        }
        try store.close()

        store = try JobStore(path: path, migrations: JobStore.repositoryMigrations, logger: JobStore.silentLogger)
        #expect(try store.job(id: job.id)?.name == "old")
        #expect(try store.latestMetrics(jobID: job.id)["loss"] == 0.5)
        #expect(try store.events(jobID: job.id, limit: 1000).count == eventsBefore)
        #expect(try store.trials(sweepID: sweep.id).map(\.id) == trials.map(\.id))
        #expect(try store.trials(sweepID: sweep.id).map(\.sweepConfiguration) == [0, 0, 1, 1])
        #expect(try store.finish(id: job.id, status: .pruned).status == .pruned)
        try store.sqlitePool.read { db throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM log WHERE job_id = ?", arguments: [job.id]) == 1)
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            #expect(try Int.fetchOne(db, sql: "PRAGMA foreign_keys") == 1)
        }
        // The cascade still works on the rebuilt table.
        #expect(try store.deleteJob(id: job.id))
        try store.sqlitePool.read { db throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM metric WHERE job_id = ?", arguments: [job.id]) == 0)
        }
    }
}
