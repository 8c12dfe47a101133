import Testing
@testable import SSCLService

/// ASHA's stopping rule on a scripted sequence of rung results with known decisions.
@Suite struct ASHATests {
    @Test func rungsAreMinEpochsTimesPowersOfEta() {
        let asha = ASHA(spec: ASHASpec(reductionFactor: 3, minEpochs: 1), goal: .maximize)
        #expect(asha.rungs(epochs: 10) == [1, 3, 9])
        #expect(asha.rungs(epochs: 9) == [1, 3])
        #expect(ASHA(spec: ASHASpec(reductionFactor: 2, minEpochs: 2), goal: .maximize).rungs(epochs: 20) == [2, 4, 8, 16])
        #expect(asha.rungs(epochs: 1) == [])
    }

    @Test func scriptedPromotions() {
        let asha = ASHA(spec: ASHASpec(reductionFactor: 3, minEpochs: 1), goal: .maximize)
        typealias R = ASHA.RungResult
        let arrivals = [
            R(configuration: 0, rung: 0, value: 0.50),  // alone: best of 1 -> promote
            R(configuration: 1, rung: 0, value: 0.40),  // 2 reached, keep 1 (0.50) -> prune
            R(configuration: 2, rung: 0, value: 0.60),  // keep 1 of 3: 0.60 is it -> promote
            R(configuration: 3, rung: 0, value: 0.55),  // keep 1 of 4 (0.60) -> prune
            R(configuration: 0, rung: 1, value: 0.70),  // first at rung 1 -> promote
            R(configuration: 4, rung: 0, value: 0.58),  // keep 1 of 5 (0.60) -> prune
            R(configuration: 5, rung: 0, value: 0.59),  // keep 2 of 6 (0.60, 0.59) -> promote
            R(configuration: 2, rung: 1, value: 0.65),  // keep 1 of 2 (0.70) -> prune
            R(configuration: 5, rung: 1, value: 0.72),  // keep 1 of 3 (0.72) -> promote
            R(configuration: 1, rung: 1, value: 0.99),  // pruned before: stays pruned
        ]
        #expect(asha.decisions(arrivals) == [.promote, .prune, .promote, .prune, .promote, .prune, .promote, .prune, .promote, .prune])
    }

    @Test func minimizeAndTiesPromote() {
        let asha = ASHA(spec: ASHASpec(reductionFactor: 2, minEpochs: 1), goal: .minimize)
        #expect(asha.decide(0.3, earlier: [0.5]) == .promote)
        #expect(asha.decide(0.5, earlier: [0.3]) == .prune)
        #expect(asha.decide(0.3, earlier: [0.3]) == .promote)
        // 4 reached, keep 2: 0.2 and 0.3.
        #expect(asha.decide(0.3, earlier: [0.2, 0.4, 0.5]) == .promote)
        #expect(asha.decide(0.4, earlier: [0.2, 0.3, 0.5]) == .prune)
    }
}
