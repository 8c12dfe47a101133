import Testing
@testable import SSCLEngine

@Suite struct MixingPlanTests {
    @Test(arguments: MixingMode.allCases)
    func drawsPositionsAndWeightsInRange(mixing: MixingMode) {
        var rng = SeededGenerator(seed: 3)
        let plan = MixingPlan.draw(rows: 6, synthetic: 50, hardPool: 4, mixing: mixing, rng: &rng)
        #expect(plan.rows == 6 && plan.synthetic == 50)
        #expect(plan.problem(rows: 6, synthetic: 50, hardPool: 4) == nil)
        let alphas = plan.alpha.joined()
        let upper: Float = mixing == .anchor ? 0.5 : 1
        #expect(alphas.allSatisfy { $0 >= 0 && $0 < upper })
        #expect(alphas.contains { $0 > upper * 0.9 })
        #expect(Set(plan.a.joined()) == Set(0..<4))
        #expect(Set(plan.b.joined()) == Set(0..<4))
    }

    @Test func drawIsDeterministic() {
        var rng1 = SeededGenerator(seed: 8), rng2 = SeededGenerator(seed: 8)
        let plan1 = MixingPlan.draw(rows: 4, synthetic: 3, hardPool: 2, mixing: .pair, rng: &rng1)
        let plan2 = MixingPlan.draw(rows: 4, synthetic: 3, hardPool: 2, mixing: .pair, rng: &rng2)
        #expect(plan1 == plan2)
        #expect(rng1 == rng2)
    }

    @Test func problemsAreNamed() {
        let plan = MixingPlan(a: [[0], [1]], b: [[1], [0]], alpha: [[0.5], [0.25]])
        #expect(plan.problem(rows: 2, synthetic: 1, hardPool: 2) == nil)
        #expect(plan.problem(rows: 4, synthetic: 1, hardPool: 2) != nil)
        #expect(plan.problem(rows: 2, synthetic: 2, hardPool: 2) != nil)
        #expect(plan.problem(rows: 2, synthetic: 1, hardPool: 1)?.contains("outside") == true)
        let nan = MixingPlan(a: [[0], [0]], b: [[0], [0]], alpha: [[.nan], [0]])
        #expect(nan.problem(rows: 2, synthetic: 1, hardPool: 1)?.contains("finite") == true)
    }
}
