import Testing
@testable import SSCLService

/// ASHA over seeds (`ASHA.settle`): a configuration is judged on its seeds' mean once all of
/// them reached the rung or ended; scripted results with known decisions.
@Suite struct ASHASeedsTests {
    typealias V = ASHA.TrialRungValue
    typealias D = ASHA.RungDecision
    let asha = ASHA(spec: ASHASpec(reductionFactor: 3, minEpochs: 1), goal: .maximize)

    /// Configurations 0 and 1 with trials a0 a1 and b0 b1; configuration 2 with x0, and x1 that failed early.
    let trials = [
        ASHA.Trial(id: "a0", configuration: 0, ended: false), ASHA.Trial(id: "a1", configuration: 0, ended: false),
        ASHA.Trial(id: "b0", configuration: 1, ended: false), ASHA.Trial(id: "b1", configuration: 1, ended: false),
        ASHA.Trial(id: "x0", configuration: 2, ended: false), ASHA.Trial(id: "x1", configuration: 2, ended: true),
    ]
    let results = [
        V(trial: "a0", configuration: 0, rung: 0, value: 0.5),   // a1 not in yet: no decision
        V(trial: "a1", configuration: 0, rung: 0, value: 0.7),   // mean 0.6, alone at rung 0 -> promote
        V(trial: "b0", configuration: 1, rung: 0, value: 0.4),
        V(trial: "b1", configuration: 1, rung: 0, value: 0.5),   // mean 0.45; keep max(1, 2/3) = 1: 0.6 -> prune
        V(trial: "x0", configuration: 2, rung: 0, value: 0.9),   // x1 ended: mean 0.9; keep 1 of 3 -> promote
        V(trial: "b0", configuration: 1, rung: 1, value: 0.99),  // pruned at rung 0: never judged again
        V(trial: "a0", configuration: 0, rung: 1, value: 0.8),
        V(trial: "a1", configuration: 0, rung: 1, value: 0.6),   // mean 0.7, first at rung 1 -> promote
    ]
    let expected = [
        D(configuration: 0, rung: 0, value: 0.6, decision: .promote),
        D(configuration: 1, rung: 0, value: 0.45, decision: .prune),
        D(configuration: 2, rung: 0, value: 0.9, decision: .promote),
        D(configuration: 0, rung: 1, value: 0.7, decision: .promote),
    ]

    private func close(_ a: [D], _ b: [D]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy {
            $0.configuration == $1.configuration && $0.rung == $1.rung && $0.decision == $1.decision && abs($0.value - $1.value) < 1e-12
        }
    }

    @Test func scriptedResultsAllAtOnce() {
        #expect(close(asha.settle(trials: trials, results: results, decided: []), expected))
    }

    /// Settling after every arrival (what the scheduler does) makes the same decisions in the
    /// same order as settling once on all of them (what a restarted server replays).
    @Test func settlingAfterEveryArrivalGivesTheSameDecisions() {
        var decided: [D] = []
        var madeAt: [Int] = []
        for n in 1...results.count {
            let made = asha.settle(trials: trials, results: Array(results.prefix(n)), decided: decided)
            decided += made
            madeAt += made.map { _ in n }
        }
        #expect(close(decided, expected))
        #expect(madeAt == [2, 4, 5, 8])
        #expect(asha.settle(trials: trials, results: results, decided: decided).isEmpty, "nothing is decided twice")
    }

    @Test func aTrialThatHasNotReachedTheRungHoldsItsConfiguration() {
        var waiting = trials
        waiting[5].ended = false  // x1 still queued or training
        let made = asha.settle(trials: waiting, results: results, decided: [])
        #expect(!made.contains { $0.configuration == 2 })
        // x1 fails before the rung: the configuration is judged on x0 alone.
        waiting[5].ended = true
        let later = asha.settle(trials: waiting, results: results, decided: made)
        #expect(close(later, [D(configuration: 2, rung: 0, value: 0.9, decision: .promote)]))
    }

    @Test func aDivergedTrialRanksLast() {
        #expect(asha.worst == -.infinity)
        #expect(ASHA(spec: ASHASpec(), goal: .minimize).worst == .infinity)
        #expect(asha.decide(asha.worst, earlier: [0.1]) == .prune)
    }
}
