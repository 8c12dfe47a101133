import Testing
@testable import SSCLEngine

@Suite struct InitializationTests {
    private func moments(_ values: [Float]) -> (mean: Double, std: Double) {
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(values.count)
        return (mean, variance.squareRoot())
    }

    @Test(arguments: [9, 64, 288])
    func uniformHasHeStandardDeviation(fanIn: Int) {
        var rng = SeededGenerator(seed: 11)
        let values = Initialization.kaimingUniform(count: 40_000, fanIn: fanIn, rng: &rng)
        let expected = (2 / Double(fanIn)).squareRoot()
        let (mean, std) = moments(values)
        #expect(abs(std / expected - 1) < 0.02)
        #expect(abs(mean) < 0.02 * expected)
        let bound = Float((6 / Double(fanIn)).squareRoot())
        #expect(values.allSatisfy { abs($0) <= bound })
    }

    @Test(arguments: [9, 64, 288])
    func normalHasHeStandardDeviation(fanIn: Int) {
        var rng = SeededGenerator(seed: 12)
        let values = Initialization.kaimingNormal(count: 40_000, fanIn: fanIn, rng: &rng)
        let expected = Double(Initialization.kaimingStandardDeviation(fanIn: fanIn))
        let (mean, std) = moments(values)
        #expect(abs(std / expected - 1) < 0.02)
        #expect(abs(mean) < 0.02 * expected)
    }

    @Test func layersUseFanInOfTheirReceptiveField() {
        var rng = SeededGenerator(seed: 13)
        let conv = Conv2D(name: "c", inChannels: 16, outChannels: 64, kernel: 3, stride: 1, padding: 1, rng: &rng)
        let (_, convStd) = moments(conv.weight.value)
        #expect(abs(convStd / (2.0 / 144).squareRoot() - 1) < 0.05)
        #expect(conv.bias.value.allSatisfy { $0 == 0 })
        let linear = Linear(name: "l", inputs: 200, outputs: 100, rng: &rng)
        let (_, linearStd) = moments(linear.weight.value)
        #expect(abs(linearStd / (2.0 / 200).squareRoot() - 1) < 0.05)
    }

    @Test func sameSeedSameWeights() {
        var a = SeededGenerator(seed: 14)
        var b = SeededGenerator(seed: 14)
        #expect(Initialization.kaimingUniform(count: 10, fanIn: 3, rng: &a)
                == Initialization.kaimingUniform(count: 10, fanIn: 3, rng: &b))
    }
}
