import Foundation
import Testing
@testable import SSCLStore

/// Sweeps in the store: the sweep and its trials in one write, the concurrency view, and
/// ASHA decisions recorded once and replayed after reopening.
@Suite struct JobStoreSweepsTests {
    static func trials(_ n: Int) -> [NewTrial] {
        (0..<n).map { NewTrial(name: "t\($0)", priority: 3, maxRestarts: 0, configuration: $0 / 2,
                               submittedJSON: #"{"seed":\#($0 % 2)}"#, resolvedJSON: #"{"seed":\#($0 % 2)}"#) }
    }

    @Test(arguments: StoreEngine.available) func sweepAndTrialsAreStoredTogether(_ engine: StoreEngine) throws {
        let dir = try TemporaryDirectory(engine)
        let store = try JobStore.make(in: dir)
        let alone = try store.makeJob(name: "alone")
        let (sweep, jobs) = try store.createSweep(name: "s", submittedJSON: "{}", resolvedJSON: #"{"a":1}"#, maxConcurrent: 2, trials: Self.trials(4))
        #expect(sweep.id.hasPrefix("swp_") && sweep.status == .running && sweep.maxConcurrent == 2)
        #expect(jobs.map(\.sweepConfiguration) == [0, 0, 1, 1])
        #expect(jobs.allSatisfy { $0.sweepID == sweep.id && $0.status == .queued && $0.priority == 3 })
        #expect(try store.trials(sweepID: sweep.id) == jobs)
        #expect(try store.job(id: alone.id)?.sweepID == nil)
        #expect(try store.sweep(id: sweep.id) == sweep)
        let second = try store.createSweep(name: "s2", submittedJSON: "{}", resolvedJSON: "{}", maxConcurrent: 1, trials: Self.trials(1))
        #expect(try store.listSweeps().map(\.id) == [second.sweep.id, sweep.id])
        #expect(try store.runningTrialsBySweep()[sweep.id]?.limit == 2)
        #expect(try store.runningTrialsBySweep()[sweep.id]?.running == 0)
        #expect(try store.finishSweep(id: sweep.id, status: .cancelled))
        #expect(try !store.finishSweep(id: sweep.id, status: .finished))
        #expect(try store.sweep(id: sweep.id)?.status == .cancelled)
        #expect(try store.runningTrialsBySweep()[sweep.id] == nil)
    }

    @Test(arguments: StoreEngine.available) func decisionsAreRecordedOnceAndSurviveReopening(_ engine: StoreEngine) throws {
        let dir = try TemporaryDirectory(engine)
        var store = try JobStore.make(in: dir)
        let sweep = try store.createSweep(name: "s", submittedJSON: "{}", resolvedJSON: "{}", maxConcurrent: 1, trials: Self.trials(6)).sweep
        var seen: [[Double]] = []
        func decide(_ earlier: [Double]) -> String { seen.append(earlier); return earlier.isEmpty ? "promote" : "prune" }
        let a = try store.recordDecision(sweepID: sweep.id, configuration: 0, rung: 0, value: 0.5, decide: decide)
        let b = try store.recordDecision(sweepID: sweep.id, configuration: 1, rung: 0, value: 0.6, decide: decide)
        #expect(a.decision == "promote" && b.decision == "prune" && seen == [[], [0.5]])
        try store.close()
        store = try JobStore.make(in: dir)
        // Asked again (a restarted server): the recorded decision, without deciding again.
        let again = try store.recordDecision(sweepID: sweep.id, configuration: 1, rung: 0, value: 0.9) { _ in "promote" }
        #expect(again == b && seen.count == 2)
        let c = try store.recordDecision(sweepID: sweep.id, configuration: 0, rung: 1, value: 0.7, decide: decide)
        #expect(c.sequence == 2 && c.decision == "promote")
        #expect(try store.decisions(sweepID: sweep.id).map(\.configuration) == [0, 1, 0])
    }
}
