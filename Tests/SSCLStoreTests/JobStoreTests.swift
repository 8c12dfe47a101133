import Foundation
import Testing
@testable import SSCLStore

@Suite struct JobStoreTests {
    @Test(arguments: StoreEngine.available) func createsAQueuedJobWithAStatusEvent(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let job = try store.makeJob(name: "mnist", priority: 3, maxRestarts: 2)
        #expect(job.status == .queued)
        #expect(job.attempt == 0 && job.restartsUsed == 0 && job.maxRestarts == 2 && job.priority == 3)
        #expect(job.startedAt == nil && job.finishedAt == nil && !job.resumeFromCheckpoint && !job.cancelRequested)
        #expect(try store.job(id: job.id) == job)
        #expect(try store.job(id: "job_0000000000000") == nil)
        let events = try store.events(jobID: job.id, limit: 10)
        #expect(events.map(\.type) == ["status"])
        let snapshot = try JobStatusSnapshot.decode(try #require(events.first?.dataJSON))
        #expect(snapshot == JobStatusSnapshot(job))
        #expect(snapshot.id == job.id && snapshot.status == .queued && snapshot.attempt == 0 && snapshot.startedAt == nil)
        // Unset times and errors are spelled out as null, so a reader can replace its state.
        #expect(try #require(events.first?.dataJSON).contains(#""finished_at":null"#))
        #expect(try store.lastEventID(jobID: job.id) == events.last?.id)
        #expect(try store.lastEventID(jobID: "job_0000000000000") == 0)
    }

    @Test(arguments: StoreEngine.available) func rejectsDocumentsThatAreNotJSON(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        #expect(throws: (any Error).self) {
            try store.createJob(name: "x", priority: 0, maxRestarts: 0, submittedJSON: "{", resolvedJSON: "{}")
        }
        #expect(try store.listJobs(limit: 10).jobs.isEmpty)
    }

    @Test(arguments: StoreEngine.available) func anIdempotencyKeyReplaysTheSameBodyAndRefusesAnother(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        func submit(_ hash: String) throws -> CreateOutcome {
            try store.createJob(name: "a", priority: 0, maxRestarts: 0, submittedJSON: "{}", resolvedJSON: "{}",
                                idempotencyKey: "key-1", bodySHA256: hash)
        }
        guard case .created(let job) = try submit("aaaa") else { Issue.record("not created"); return }
        #expect(try submit("aaaa") == .replayed(job, nil))
        try store.saveResponse(idempotencyKey: "key-1", statusCode: 201, json: #"{"id":"\#(job.id)"}"#)
        #expect(try submit("aaaa") == .replayed(job, StoredResponse(statusCode: 201, json: #"{"id":"\#(job.id)"}"#)))
        #expect(try submit("bbbb") == .conflict(existingJobID: job.id))
        #expect(try store.listJobs(limit: 10).jobs.map(\.id) == [job.id])
        #expect(try store.events(jobID: job.id, limit: 10).count == 1)
        #expect(try store.deleteIdempotencyKeys(createdBefore: job.createdAt) == 0)
        #expect(try store.deleteIdempotencyKeys(createdBefore: job.createdAt.addingTimeInterval(0.001)) == 1)
        #expect(try submit("bbbb") != .conflict(existingJobID: job.id))
        #expect(try store.job(id: job.id) == job)
        #expect(throws: StoreError.missingBodyHash) {
            try store.createJob(name: "a", priority: 0, maxRestarts: 0, submittedJSON: "{}", resolvedJSON: "{}", idempotencyKey: "k")
        }
    }

    @Test(arguments: StoreEngine.available) func listsNewestFirstAndPagesWithoutGapsOrRepeats(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        var created: [JobRecord] = []
        for i in 0..<25 { created.append(try store.makeJob(name: "job-\(i)")) }
        for i in stride(from: 0, to: 25, by: 3) { _ = try store.finish(id: created[i].id, status: .cancelled) }

        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try store.listJobs(limit: 7, cursor: cursor)
            seen += page.jobs.map(\.id)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 4)
        #expect(seen == created.reversed().map(\.id))

        let cancelled = created.enumerated().filter { $0.offset % 3 == 0 }.map(\.element.id).reversed()
        let first = try store.listJobs(status: .cancelled, limit: 5)
        let second = try store.listJobs(status: .cancelled, limit: 5, cursor: first.nextCursor)
        #expect(first.jobs.map(\.id) + second.jobs.map(\.id) == Array(cancelled))
        #expect(second.nextCursor == nil)
        #expect(first.jobs.allSatisfy { $0.status == .cancelled })
        #expect(throws: StoreError.invalidCursor("nope")) { try store.listJobs(limit: 5, cursor: "nope") }
    }

    @Test(arguments: StoreEngine.available) func listsOneSweepsTrialsWithTheOtherFilters(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        func trials(_ n: Int) -> [NewTrial] {
            (0..<n).map { NewTrial(name: "t\($0)", priority: 0, maxRestarts: 0, configuration: $0 / 2,
                                   submittedJSON: "{}", resolvedJSON: "{}") }
        }
        let before = try store.makeJob(name: "before")
        let a = try store.createSweep(name: "a", submittedJSON: "{}", resolvedJSON: "{}", maxConcurrent: 1, trials: trials(5))
        let between = try store.makeJob(name: "between")
        let b = try store.createSweep(name: "b", submittedJSON: "{}", resolvedJSON: "{}", maxConcurrent: 1, trials: trials(2))
        _ = try store.finish(id: a.trials[1].id, status: .cancelled)
        _ = try store.finish(id: a.trials[3].id, status: .cancelled)

        #expect(try store.listJobs(sweepID: a.sweep.id, limit: 50).jobs.map(\.id) == a.trials.reversed().map(\.id))
        #expect(try store.listJobs(sweepID: b.sweep.id, limit: 50).jobs.map(\.id) == b.trials.reversed().map(\.id))
        let everything = [before.id] + a.trials.map(\.id) + [between.id] + b.trials.map(\.id)
        #expect(try store.listJobs(limit: 50).jobs.map(\.id) == everything.reversed(), "no filter: every job")
        #expect(try store.listJobs(sweepID: "swp_0000000000000", limit: 50).jobs.isEmpty)
        // Pages of a sweep's trials neither skip nor repeat, and never leave the sweep.
        let first = try store.listJobs(sweepID: a.sweep.id, limit: 2)
        let second = try store.listJobs(sweepID: a.sweep.id, limit: 2, cursor: first.nextCursor)
        let third = try store.listJobs(sweepID: a.sweep.id, limit: 2, cursor: second.nextCursor)
        #expect((first.jobs + second.jobs + third.jobs).map(\.id) == a.trials.reversed().map(\.id))
        #expect(third.nextCursor == nil)
        // With a status too: both conditions hold.
        let cancelled = try store.listJobs(status: .cancelled, sweepID: a.sweep.id, limit: 50).jobs.map(\.id)
        #expect(cancelled == [a.trials[3].id, a.trials[1].id])
        #expect(try store.listJobs(status: .cancelled, sweepID: b.sweep.id, limit: 50).jobs.isEmpty)
    }

    @Test(arguments: StoreEngine.available) func queuesByPriorityThenSubmissionTime(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let low = try store.makeJob(name: "low", priority: 0)
        let high1 = try store.makeJob(name: "high1", priority: 5)
        let mid = try store.makeJob(name: "mid", priority: 1)
        let high2 = try store.makeJob(name: "high2", priority: 5)
        let running = try store.markStarted(id: try store.makeJob(name: "running", priority: 9).id)
        #expect(try store.queuedJobs().map(\.name) == ["high1", "high2", "mid", "low"])
        #expect(try store.queuePosition(id: high1.id) == 1)
        #expect(try store.queuePosition(id: high2.id) == 2)
        #expect(try store.queuePosition(id: mid.id) == 3)
        #expect(try store.queuePosition(id: low.id) == 4)
        #expect(try store.queuePosition(id: running.id) == nil)
    }

    @Test(arguments: StoreEngine.available) func countsJobsByStatus(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let a = try store.makeJob()
        _ = try store.makeJob()
        _ = try store.markStarted(id: a.id)
        let counts = try store.countsByStatus()
        #expect(counts == [.queued: 1, .running: 1, .succeeded: 0, .failed: 0, .cancelled: 0, .pruned: 0])
    }

    @Test(arguments: StoreEngine.available) func finishedJobsSurviveReopeningWithAllTheirMetrics(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        var store: JobStore? = try JobStore.make(in: directory)
        let job = try store!.makeJob()
        _ = try store!.markStarted(id: job.id)
        let points = (0..<300).map { MetricPoint(name: $0 % 2 == 0 ? "loss" : "lr", step: $0 / 2, value: Double($0), time: Date()) }
        try store!.appendMetrics(jobID: job.id, points: points)
        let finished = try store!.finish(id: job.id, status: .succeeded, resultJSON: #"{"accuracy":0.9}"#)
        let before = try store!.metrics(jobID: job.id)
        let events = try store!.events(jobID: job.id, limit: 100)
        try store!.close()
        store = nil

        let reopened = try JobStore.make(in: directory)
        #expect(try reopened.job(id: job.id) == finished)
        #expect(try reopened.metrics(jobID: job.id) == before)
        #expect(before["loss"]?.count == 150 && before["lr"]?.count == 150)
        #expect(try reopened.events(jobID: job.id, limit: 100) == events)
        #expect(try reopened.recoverInterruptedJobs().isEmpty)
        // Ids keep increasing after a reopen.
        #expect(try reopened.makeJob().id > job.id)
    }

    @Test(arguments: StoreEngine.available) func observersHearOfEveryWriteThatAddsEvents(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let heard = Collector()
        store.observeEvents { heard.record($0) }
        let job = try store.makeJob()
        _ = try store.markStarted(id: job.id)
        try store.updateProgress(id: job.id, progressJSON: "{}")
        try store.appendMetrics(jobID: job.id, points: [MetricPoint(name: "loss", step: 0, value: 1, time: Date())])
        try store.appendLog(jobID: job.id, lines: ["a", "b"])
        try store.setCancelRequested(id: job.id)
        _ = try store.finish(id: job.id, status: .cancelled)
        _ = try store.job(id: job.id)
        #expect(heard.items == Array(repeating: job.id, count: 7), "create, start, progress, metrics, log, cancel request, finish")
    }

    @Test(arguments: StoreEngine.available) func servesReadsWhileWritingFromManyThreads(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: directory)
        let job = try store.markStarted(id: try store.makeJob().id)
        let failures = Collector()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            do {
                for step in 0..<100 {
                    switch worker {
                    case 0:
                        try store.appendMetrics(jobID: job.id, points: [MetricPoint(name: "loss", step: step, value: 1, time: Date())])
                    case 1:
                        _ = try store.makeJob(name: "w\(step)")
                        try store.appendLog(jobID: job.id, lines: ["line \(step)"])
                    default:
                        _ = try store.listJobs(limit: 20)
                        _ = try store.job(id: job.id)
                        _ = try store.metrics(jobID: job.id, afterStep: step / 2)
                        _ = try store.events(jobID: job.id, limit: 50)
                    }
                }
            } catch {
                failures.record(error)
            }
        }
        #expect(failures.items.isEmpty, "\(failures.items)")
        #expect(try store.metrics(jobID: job.id)["loss"]?.count == 100)
        #expect(try store.logs(jobID: job.id, limit: 1000).count == 100)
        #expect(try store.countsByStatus()[.queued] == 100)
    }
}

extension JobStoreTests {
    /// Two stores on one database (two nodes on one PostgreSQL server, or two processes on
    /// one SQLite file) writing at once: ids stay unique and ordered, an idempotency key
    /// creates one job, and a job starts once however many nodes try.
    @Test(arguments: StoreEngine.available) func twoStoresOnOneDatabaseTakeTurns(_ engine: StoreEngine) throws {
        let directory = try TemporaryDirectory(engine)
        let stores = [try JobStore.make(in: directory), try JobStore.make(in: directory)]
        defer { stores.forEach { try? $0.close() } }
        let created = Collector()
        let failures = Collector()
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            do {
                for j in 0..<25 { created.record(try stores[i % 2].makeJob(name: "n\(i)-\(j)").id) }
            } catch {
                failures.record(error)
            }
        }
        #expect(failures.items.isEmpty, "\(failures.items)")
        #expect(Set(created.items).count == 100)
        let listed = try stores[0].listJobs(limit: 200).jobs.map(\.id)
        #expect(Set(listed) == Set(created.items) && listed == listed.sorted(by: >))

        let outcomes = Collector()
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            do {
                let outcome = try stores[i % 2].createJob(name: "once", priority: 0, maxRestarts: 0, submittedJSON: "{}",
                                                          resolvedJSON: "{}", idempotencyKey: "same", bodySHA256: "h")
                switch outcome {
                case .created: outcomes.record("created")
                case .replayed: outcomes.record("replayed")
                case .conflict: outcomes.record("conflict")
                }
            } catch {
                failures.record(error)
            }
        }
        #expect(failures.items.isEmpty, "\(failures.items)")
        #expect(outcomes.items.sorted() == ["created", "replayed", "replayed", "replayed"])

        let started = Collector()
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            for id in created.items where (try? stores[i % 2].markStarted(id: id)) != nil { started.record(id) }
        }
        #expect(started.items.sorted() == created.items.sorted(), "each job started exactly once")
        #expect(try stores[1].countsByStatus()[.running] == 100)
        #expect(try stores[0].job(id: created.items[0])?.attempt == 1)
    }
}

/// Strings collected from several threads.
final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []

    func record(_ item: Any) { lock.withLock { collected.append("\(item)") } }
    var items: [String] { lock.withLock { collected } }
}
