import Foundation
import Testing
@testable import SSCLStore

/// Leases on both engines (`StoreEngine`: PostgreSQL when `SSCL_TEST_POSTGRES_URL` names a
/// server, each test on a database of its own).
@Suite struct JobStoreLeasesTests {
    /// A store on one engine whose clock the test moves.
    final class Fixture: @unchecked Sendable {
        let store: JobStore
        let clock: TestClock
        private let directory: TemporaryDirectory

        init(_ engine: StoreEngine) throws {
            let clock = TestClock()
            self.clock = clock
            directory = try TemporaryDirectory(engine)
            store = try JobStore.make(in: directory, clock: { clock.now })
        }

        deinit { try? store.close() }
    }

    @Test(arguments: StoreEngine.available)
    func claimsFollowPriorityThenAgeAndStartTheJobUnderANewLease(_ engine: StoreEngine) throws {
        let f = try Fixture(engine)
        let low = try f.store.makeJob(name: "low", priority: 0)
        f.clock.advance(1)
        let high = try f.store.makeJob(name: "high", priority: 5)
        f.clock.advance(1)
        let lowLater = try f.store.makeJob(name: "low-later", priority: 0)

        let (first, lease) = try #require(try f.store.claimNextJob(node: "a", leaseSeconds: 15))
        #expect(first.id == high.id && first.status == .running && first.attempt == 1 && first.startedAt != nil)
        #expect(lease.node == "a" && lease.generation == 1 && lease.jobID == high.id)
        #expect(lease.expiresAt == f.clock.now.addingTimeInterval(15))
        #expect(try f.store.currentLease(jobID: high.id) == lease)
        // `eligible` passes over a job (a sweep at its limit, a held folder): the next one is taken.
        let (second, _) = try #require(try f.store.claimNextJob(node: "b", leaseSeconds: 15) { job, _ in job.id != low.id })
        #expect(second.id == lowLater.id)
        #expect(try f.store.claimNextJob(node: "b", leaseSeconds: 15) { _, _ in false } == nil)
        let (third, _) = try #require(try f.store.claimNextJob(node: "b", leaseSeconds: 15))
        #expect(third.id == low.id)
        #expect(try f.store.claimNextJob(node: "a", leaseSeconds: 15) == nil)

        let history = try f.store.leaseHistory(jobID: high.id)
        #expect(history.count == 1 && history[0].node == "a" && history[0].generation == 1 && history[0].endedAt == nil)
        let status = try #require(try f.store.events(jobID: high.id, limit: 10).last { $0.type == "status" })
        #expect(try JobStatusSnapshot.decode(status.dataJSON).status == .running)
    }

    @Test(arguments: StoreEngine.available)
    func eligibleSeesEachSweepsRunningTrialsAsTheClaimReadsThem(_ engine: StoreEngine) throws {
        let f = try Fixture(engine)
        let (sweep, trials) = try f.store.createSweep(name: "s", submittedJSON: "{}", resolvedJSON: "{}", maxConcurrent: 1,
                                                      trials: JobStoreSweepsTests.trials(2))
        let loose = try f.store.makeJob(name: "loose")
        let underLimit: (JobRecord, JobStore.SweepSlots) -> Bool = { job, slots in
            guard let slot = job.sweepID.flatMap({ slots[$0] }) else { return true }
            return slot.running < slot.limit
        }
        var seen: [(String, Int)] = []
        let (first, _) = try #require(try f.store.claimNextJob(node: "a", leaseSeconds: 5) { job, slots in
            seen.append((job.id, slots[sweep.id]?.running ?? -1))
            return underLimit(job, slots)
        })
        #expect(first.id == trials[0].id && seen.first.map { $0.1 } == 0)
        // The sweep's one slot is taken: its other trial waits, the job outside the sweep runs.
        let (second, _) = try #require(try f.store.claimNextJob(node: "b", leaseSeconds: 5, eligible: underLimit))
        #expect(second.id == loose.id)
        #expect(try f.store.claimNextJob(node: "b", leaseSeconds: 5, eligible: underLimit) == nil)
        _ = try f.store.finish(id: first.id, status: .succeeded, resultJSON: "{}")
        #expect(try f.store.claimNextJob(node: "b", leaseSeconds: 5, eligible: underLimit)?.0.id == trials[1].id)
    }

    @Test(arguments: StoreEngine.available)
    func concurrentClaimsTakeEachJobOnce(_ engine: StoreEngine) throws {
        let f = try Fixture(engine)
        let ids = try (0..<24).map { try f.store.makeJob(name: "j\($0)").id }
        let claimed = ClaimLog()
        DispatchQueue.concurrentPerform(iterations: 4) { node in
            while let (job, _) = try? f.store.claimNextJob(node: "node\(node)", leaseSeconds: 15) {
                claimed.add(job.id)
            }
        }
        #expect(claimed.ids.sorted() == ids.sorted(), "every job claimed exactly once")
    }

    @Test(arguments: StoreEngine.available)
    func anExpiredLeaseSendsTheJobBackAsARestart(_ engine: StoreEngine) throws {
        let f = try Fixture(engine)
        let job = try f.store.makeJob(maxRestarts: 1)
        let (_, lease) = try #require(try f.store.claimNextJob(node: "a", leaseSeconds: 10))
        f.clock.advance(9)
        #expect(try f.store.requeueExpiredLeases().isEmpty, "not expired yet")
        // Renewing pushes the expiry on.
        let renewal = try f.store.renewLeases([lease], leaseSeconds: 10)
        #expect(renewal.renewed.map(\.generation) == [1] && renewal.lost.isEmpty)
        f.clock.advance(9)
        #expect(try f.store.requeueExpiredLeases().isEmpty)
        f.clock.advance(2)
        let requeued = try f.store.requeueExpiredLeases()
        #expect(requeued.map(\.id) == [job.id])
        let record = try #require(try f.store.job(id: job.id))
        #expect(record.status == .queued && record.resumeFromCheckpoint && record.restartsUsed == 1)
        #expect(try f.store.currentLease(jobID: job.id) == nil)
        let history = try f.store.leaseHistory(jobID: job.id)
        #expect(history.count == 1 && history[0].endReason == "expired" && history[0].endedAt == f.clock.now)
        let logs = try f.store.logs(jobID: job.id, limit: 10).map(\.line)
        #expect(logs.contains { $0.contains("lease of node a expired") && $0.contains("restart 1 of 1") }, "\(logs)")

        // Out of restarts: the next expiry fails the job, as a crashed worker's would.
        let (again, second) = try #require(try f.store.claimNextJob(node: "b", leaseSeconds: 10))
        #expect(again.attempt == 2 && second.generation == 2)
        f.clock.advance(11)
        #expect(try f.store.requeueExpiredLeases().map(\.status) == [.failed])
        let failed = try #require(try f.store.job(id: job.id))
        #expect(failed.errorCode == "worker_crashed" && failed.finishedAt != nil)
        #expect(try f.store.leaseHistory(jobID: job.id).map(\.endReason) == ["expired", "expired"])
    }

    @Test(arguments: StoreEngine.available)
    func anExpiredLeaseWithAPendingCancelEndsCancelled(_ engine: StoreEngine) throws {
        let f = try Fixture(engine)
        let job = try f.store.makeJob(maxRestarts: 3)
        _ = try #require(try f.store.claimNextJob(node: "a", leaseSeconds: 5))
        try f.store.setCancelRequested(id: job.id)
        f.clock.advance(6)
        #expect(try f.store.requeueExpiredLeases().map(\.status) == [.cancelled])
    }

    @Test(arguments: StoreEngine.available)
    func fencingRefusesEveryWriteOfAStaleGeneration(_ engine: StoreEngine) throws {
        let f = try Fixture(engine)
        let job = try f.store.makeJob(maxRestarts: 2)
        let (_, stale) = try #require(try f.store.claimNextJob(node: "a", leaseSeconds: 5))
        try f.store.appendMetrics(jobID: job.id, points: [MetricPoint(name: "loss", step: 1, value: 1, time: f.clock.now)], lease: stale)
        f.clock.advance(6)
        _ = try f.store.requeueExpiredLeases()
        let (_, current) = try #require(try f.store.claimNextJob(node: "b", leaseSeconds: 5))
        #expect(current.generation == stale.generation + 1)
        let eventsBefore = try f.store.events(jobID: job.id, limit: 1000).count
        let logsBefore = try f.store.logs(jobID: job.id, limit: 1000).count

        let lost = StoreError.leaseLost(job.id)
        let point = MetricPoint(name: "loss", step: 2, value: 0.5, time: f.clock.now)
        #expect(throws: lost) { try f.store.appendMetrics(jobID: job.id, points: [point], lease: stale) }
        #expect(throws: lost) { try f.store.appendLog(jobID: job.id, lines: ["late"], lease: stale) }
        #expect(throws: lost) { try f.store.updateProgress(id: job.id, progressJSON: #"{"step":2}"#, lease: stale) }
        #expect(throws: lost) { try f.store.appendSimilarityHistogram(jobID: job.id, dataJSON: "{}", lease: stale) }
        #expect(throws: lost) { try f.store.finish(id: job.id, status: .succeeded, resultJSON: "{}", lease: stale) }
        #expect(throws: lost) { try f.store.finishFromResultFile(id: job.id, resultJSON: "{}", lease: stale) }
        #expect(throws: lost) { try f.store.requeue(id: job.id, resumeFromCheckpoint: true, countsAsRestart: true, lease: stale) }
        // The same node name with the old generation is stale too.
        var renamed = stale
        renamed.node = current.node
        #expect(throws: lost) { try f.store.appendLog(jobID: job.id, lines: ["late"], lease: renamed) }

        #expect(try f.store.events(jobID: job.id, limit: 1000).count == eventsBefore, "nothing written")
        #expect(try f.store.logs(jobID: job.id, limit: 1000).count == logsBefore)
        #expect(try f.store.metrics(jobID: job.id)["loss"]?.map(\.step) == [1])
        let record = try #require(try f.store.job(id: job.id))
        #expect(record.status == .running && record.progressJSON == nil)

        // The current lease writes, and its end closes the lease.
        try f.store.appendMetrics(jobID: job.id, points: [point], lease: current)
        #expect(try f.store.finish(id: job.id, status: .succeeded, resultJSON: "{}", lease: current).status == .succeeded)
        #expect(try f.store.leaseHistory(jobID: job.id).map(\.endReason) == ["expired", "succeeded"])
        #expect(throws: lost) { try f.store.appendLog(jobID: job.id, lines: ["after the end"], lease: current) }
    }

    @Test(arguments: StoreEngine.available)
    func renewalReportsLostLeasesAndCancelsAskedElsewhere(_ engine: StoreEngine) throws {
        let f = try Fixture(engine)
        let a = try f.store.makeJob(name: "a")
        let b = try f.store.makeJob(name: "b")
        let (_, leaseA) = try #require(try f.store.claimNextJob(node: "n", leaseSeconds: 5))
        let (_, leaseB) = try #require(try f.store.claimNextJob(node: "n", leaseSeconds: 5))
        #expect(Set([leaseA.jobID, leaseB.jobID]) == [a.id, b.id])
        // Another API replica asks for a cancel: it only sets the flag in the store.
        try f.store.setCancelRequested(id: b.id)
        f.clock.advance(1)
        var renewal = try f.store.renewLeases([leaseA, leaseB], leaseSeconds: 5)
        #expect(renewal.lost.isEmpty && renewal.cancelRequested == [b.id])
        #expect(renewal.renewed.allSatisfy { $0.expiresAt == f.clock.now.addingTimeInterval(5) })
        // a's lease expires and another node takes it: the next renewal reports it lost.
        f.clock.advance(6)
        renewal = try f.store.renewLeases([leaseB], leaseSeconds: 5)
        _ = try f.store.requeueExpiredLeases()
        _ = try #require(try f.store.claimNextJob(node: "other", leaseSeconds: 5))
        renewal = try f.store.renewLeases([leaseA, leaseB], leaseSeconds: 5)
        #expect(renewal.lost.map(\.jobID) == [a.id] && renewal.renewed.map(\.jobID) == [b.id])
        #expect(try f.store.job(id: a.id)?.attempt == 2)
    }

    @Test func aServerStartRecoversItsRunningJobsAndEndsTheirLeases() throws {
        let f = try Fixture(.sqlite)
        let job = try f.store.makeJob()
        _ = try #require(try f.store.claimNextJob(node: "a", leaseSeconds: 5))
        #expect(try f.store.recoverInterruptedJobs().map(\.id) == [job.id])
        #expect(try f.store.leaseHistory(jobID: job.id).map(\.endReason) == ["recovered"])
        #expect(try f.store.currentLease(jobID: job.id) == nil)
    }
}

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = RFC3339.truncatedToMilliseconds(Date())
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: Double) { lock.withLock { current += seconds } }
}

/// Ids claimed by many threads.
private final class ClaimLog: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed: [String] = []
    var ids: [String] { lock.withLock { claimed } }
    func add(_ id: String) { lock.withLock { claimed.append(id) } }
}
