import Foundation
import Testing
@testable import SSCLEngine

@Suite struct LearningRateScheduleTests {
    @Test func warmupRisesLinearlyThenCosineDecaysToFloor() {
        var spec = ScheduleSpec()
        spec.warmupEpochs = 1
        spec.minLRFactor = 0.1
        let s = LearningRateSchedule(spec: spec, baseLR: 1, stepsPerEpoch: 10, epochs: 5)
        #expect(s.warmupSteps == 10)
        #expect(abs(s.lr(at: 0) - 0.1) < 1e-6)
        #expect(abs(s.lr(at: 4) - 0.5) < 1e-6)
        #expect(abs(s.lr(at: 10) - 1) < 1e-6)
        // Half-way through the decay, cosine gives the midpoint between base and floor.
        #expect(abs(s.lr(at: 30) - 0.55) < 1e-5)
        #expect(abs(s.lr(at: 50) - 0.1) < 1e-6)
        let decay = (10..<50).map { s.lr(at: $0) }
        #expect(zip(decay, decay.dropFirst()).allSatisfy { $0 >= $1 })
    }

    @Test func constantScheduleKeepsTheRateAfterWarmup() {
        var spec = ScheduleSpec()
        spec.kind = .constant
        spec.warmupEpochs = 0
        let s = LearningRateSchedule(spec: spec, baseLR: 0.3, stepsPerEpoch: 7, epochs: 3)
        #expect((0..<21).allSatisfy { s.lr(at: $0) == 0.3 })
    }
}
