import Testing
@testable import SSCLEngine

@Suite struct BatchNormTests {
    private func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-1, 1) * 2 + 0.5 })
    }

    @Test func namesFollowPyTorch() {
        let bn = BatchNorm(name: "encoder.1", features: 3)
        #expect(bn.parameters.map(\.name) == ["encoder.1.weight", "encoder.1.bias"])
        #expect(bn.buffers.map(\.name) == ["encoder.1.running_mean", "encoder.1.running_var"])
        #expect(bn.parameters.allSatisfy { !$0.decays && $0.shape == [3] })
        #expect(bn.runningMean.value == [0, 0, 0] && bn.runningVar.value == [1, 1, 1])
    }

    @Test func trainingForwardGoldenAndRunningStatistics() {
        let bn = BatchNorm(name: "bn", features: 2, momentum: 0.1, eps: 0)
        bn.weight.value = [2, 1]
        bn.bias.value = [0, 10]
        // Feature 0: 1, 3 (mean 2, biased var 1, unbiased 2); feature 1: 0, 0 +/- ... use 4, 8 (mean 6, var 4, unbiased 8).
        let x = Tensor(shape: [2, 2], data: [1, 4, 3, 8])
        let y = bn.forward(x, training: true)
        #expect(y.data == [-2, 9, 2, 11])
        #expect(abs(bn.runningMean.value[0] - 0.2) < 1e-6)
        #expect(abs(bn.runningMean.value[1] - 0.6) < 1e-6)
        #expect(abs(bn.runningVar.value[0] - (0.9 + 0.2)) < 1e-6)
        #expect(abs(bn.runningVar.value[1] - (0.9 + 0.8)) < 1e-6)
    }

    @Test func twoDimensionalStatisticsArePerChannelOverBatchAndSpace() {
        let bn = BatchNorm(name: "bn", features: 2, momentum: 1, eps: 0)
        // Channel 0 holds 0..7 over two images (mean 3.5), channel 1 holds the constant-ish 10, 12.
        let x = Tensor(shape: [2, 2, 2, 2], data: [0, 1, 2, 3, 10, 10, 12, 12,
                                                   4, 5, 6, 7, 12, 12, 10, 10])
        let y = bn.forward(x, training: true)
        #expect(abs(bn.runningMean.value[0] - 3.5) < 1e-6)
        #expect(abs(bn.runningMean.value[1] - 11) < 1e-6)
        // Unbiased variance of 0..7 is 6; of four 10s and four 12s is 8/7.
        #expect(abs(bn.runningVar.value[0] - 6) < 1e-5)
        #expect(abs(bn.runningVar.value[1] - 8.0 / 7) < 1e-5)
        #expect(abs(y.data[4] + 1) < 1e-5 && abs(y.data[6] - 1) < 1e-5)
    }

    @Test func evaluationUsesRunningStatisticsAndLeavesThemAlone() {
        let bn = BatchNorm(name: "bn", features: 2, eps: 0)
        bn.runningMean.value = [1, -1]
        bn.runningVar.value = [4, 0.25]
        bn.weight.value = [3, 1]
        bn.bias.value = [1, 0]
        let x = Tensor(shape: [1, 2], data: [5, 0])  // a batch of one is fine in evaluation
        let y = bn.forward(x, training: false)
        // 3 * (5 - 1) / 2 + 1 = 7; (0 + 1) / 0.5 = 2
        #expect(y.data == [7, 2])
        #expect(bn.runningMean.value == [1, -1] && bn.runningVar.value == [4, 0.25])
    }

    @Test func runningStatisticsConvergeToDataStatistics() {
        let bn = BatchNorm(name: "bn", features: 1, momentum: 0.5)
        let x = Tensor(shape: [4, 1], data: [1, 2, 3, 6])  // mean 3, unbiased var 14/3
        for _ in 0..<30 { _ = bn.forward(x, training: true) }
        #expect(abs(bn.runningMean.value[0] - 3) < 1e-4)
        #expect(abs(bn.runningVar.value[0] - 14.0 / 3) < 1e-4)
    }

    @Test func gradientCheckOneDimensional() {
        let bn = BatchNorm(name: "bn", features: 3)
        var rng = SeededGenerator(seed: 41)
        bn.weight.value = (0..<3).map { _ in rng.uniform(0.5, 1.5) }
        bn.bias.value = (0..<3).map { _ in rng.uniform(-1, 1) }
        for result in GradientCheck.check(layer: bn, input: randomTensor([5, 3], seed: 42)) {
            #expect(result.relativeError < 1e-2, "\(result.name): \(result.relativeError)")
        }
    }

    @Test func gradientCheckTwoDimensional() {
        let bn = BatchNorm(name: "bn", features: 2)
        var rng = SeededGenerator(seed: 43)
        bn.weight.value = (0..<2).map { _ in rng.uniform(0.5, 1.5) }
        bn.bias.value = (0..<2).map { _ in rng.uniform(-1, 1) }
        for result in GradientCheck.check(layer: bn, input: randomTensor([3, 2, 3, 3], seed: 44)) {
            #expect(result.relativeError < 1e-2, "\(result.name): \(result.relativeError)")
        }
    }
}
