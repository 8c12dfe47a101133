import Testing
@testable import SSCLEngine

@Suite struct ReLUTests {
    @Test func forwardAndBackwardGolden() {
        let relu = ReLU()
        let x = Tensor(shape: [2, 3], data: [-1, 0, 2, 3, -0.5, 0.25])
        let y = relu.forward(x, training: true)
        #expect(y.data == [0, 0, 2, 3, 0, 0.25])
        let dX = relu.backward(Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]))
        #expect(dX.data == [0, 0, 3, 4, 0, 6])
        #expect(relu.parameters.isEmpty)
    }

    @Test func gradientCheckAwayFromTheKink() {
        var rng = SeededGenerator(seed: 6)
        let x = Tensor(shape: [4, 5], data: (0..<20).map { _ in
            (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(0.1, 1)
        })
        let results = GradientCheck.check(layer: ReLU(), input: x)
        #expect(results.count == 1)
        #expect(results[0].relativeError < 1e-3)
    }
}
