import Testing
@testable import SSCLEngine

@Suite struct GradientCheckTests {
    @Test func everyBuiltInCheckPasses() {
        let results = GradientCheck.runBuiltInChecks()
        #expect(results.count == GradientCheck.builtInCases().count)
        for result in results {
            #expect(result.passed, "\(result.name): relative error \(result.relativeError)")
            #expect(result.relativeError < GradientCheck.tolerance)
        }
    }

    /// The checker must catch a wrong backward, or it proves nothing.
    @Test func detectsAWrongGradient() {
        var rng = SeededGenerator(seed: 3)
        let layer = ScaledBackward(wrapping: Linear(name: "l", inputs: 3, outputs: 2, rng: &rng), factor: 1.1)
        let input = Tensor(shape: [2, 3], data: (0..<6).map { _ in rng.uniform(-1, 1) })
        let errors = GradientCheck.check(layer: layer, input: input)
        let inputError = errors.first { $0.name == "input" }!.relativeError
        #expect(inputError > 0.05)
    }

    @Test func leavesTheLayerUnchanged() {
        let bn = BatchNorm(name: "bn", features: 2)
        bn.weight.grad = [5, 6]
        var rng = SeededGenerator(seed: 4)
        let input = Tensor(shape: [4, 2], data: (0..<8).map { _ in rng.uniform(-1, 1) })
        _ = GradientCheck.check(layer: bn, input: input)
        #expect(bn.weight.grad == [5, 6])
        #expect(bn.weight.value == [1, 1])
        #expect(bn.runningMean.value == [0, 0])
        #expect(bn.runningVar.value == [1, 1])
    }

    @Test func relativeErrorIsANormRatio() {
        #expect(GradientCheck.relativeError([3, 4], [3, 4]) == 0)
        #expect(abs(GradientCheck.relativeError([3, 4], [0, 0]) - 1) < 1e-12)
        #expect(GradientCheck.relativeError([0, 0], [0, 0]) == 0)
        #expect(abs(GradientCheck.relativeError([1, 0], [1, 1]) - 1 / 2.0.squareRoot()) < 1e-12)
    }
}

/// A layer whose backward is deliberately off by a factor.
private final class ScaledBackward: Layer {
    let inner: Layer
    let factor: Float
    init(wrapping inner: Layer, factor: Float) { self.inner = inner; self.factor = factor }
    var parameters: [Parameter] { inner.parameters }
    func forward(_ x: Tensor, training: Bool) -> Tensor { inner.forward(x, training: training) }
    func backward(_ dY: Tensor) -> Tensor {
        let dX = inner.backward(dY)
        return Tensor(shape: dX.shape, data: dX.data.map { $0 * factor })
    }
}
