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

    /// Enough values to be split over threads (uneven ranges): the same rule in every range.
    @Test func forwardAndBackwardSplitOverThreads() {
        BLAS.setThreads(2)
        defer { BLAS.setThreads(1) }
        let count = 2 * ReLU.minimumRange + 5
        var rng = SeededGenerator(seed: 12)
        let x = Tensor(shape: [count], data: (0..<count).map { _ in rng.uniform(-1, 1) })
        let dY = Tensor(shape: [count], data: (0..<count).map { _ in rng.uniform(-1, 1) })
        let relu = ReLU()
        let y = relu.forward(x, training: true)
        let dX = relu.backward(dY)
        #expect(y.data == x.data.map { max($0, 0) })
        #expect(dX.data == (0..<count).map { x.data[$0] > 0 ? dY.data[$0] : 0 })
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

@Suite struct ReLUVectorisedBackwardTests {
    /// The 8-lane path and its scalar tail agree with the rule dX = dY where y > 0 (0 at y = 0).
    @Test(arguments: [1, 7, 8, 9, 37, 1024])
    func matchesTheScalarRule(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count))
        let y = (0..<count).map { i in i % 5 == 0 ? 0 : max(0, rng.uniform(-1, 1)) }
        let dY = (0..<count).map { _ in rng.uniform(-1, 1) }
        var dX = [Float](repeating: .nan, count: count)
        y.withUnsafeBufferPointer { py in
            dY.withUnsafeBufferPointer { pdy in
                dX.withUnsafeMutableBufferPointer { pdx in
                    ReLU.backward(pdy.baseAddress!, output: py.baseAddress!, into: pdx.baseAddress!, count: count)
                }
            }
        }
        for i in 0..<count { #expect(dX[i] == (y[i] > 0 ? dY[i] : 0)) }
    }
}
