import Testing
@testable import SSCLEngine

@Suite struct GlobalAveragePoolTests {
    @Test func forwardAndBackwardGolden() {
        let pool = GlobalAveragePool()
        // [1, 2, 2, 2]: channel 0 = 1..4 (mean 2.5), channel 1 = -4, 0, 0, 8 (mean 1)
        let x = Tensor(shape: [1, 2, 2, 2], data: [1, 2, 3, 4, -4, 0, 0, 8])
        let y = pool.forward(x, training: true)
        #expect(y.shape == [1, 2])
        #expect(y.data == [2.5, 1])
        let dX = pool.backward(Tensor(shape: [1, 2], data: [4, -8]))
        #expect(dX.shape == [1, 2, 2, 2])
        #expect(dX.data == [1, 1, 1, 1, -2, -2, -2, -2])
    }

    @Test func gradientCheck() {
        var rng = SeededGenerator(seed: 8)
        let x = Tensor(shape: [3, 2, 3, 4], data: (0..<72).map { _ in rng.uniform(-1, 1) })
        let results = GradientCheck.check(layer: GlobalAveragePool(), input: x)
        #expect(results[0].relativeError < 1e-2)
    }
}
