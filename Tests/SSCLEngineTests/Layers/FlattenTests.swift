import Testing
@testable import SSCLEngine

@Suite struct FlattenTests {
    @Test func reshapesForwardAndBack() {
        let flatten = Flatten()
        let x = Tensor(shape: [2, 3, 2, 1], data: (0..<12).map(Float.init))
        let y = flatten.forward(x, training: true)
        #expect(y.shape == [2, 6])
        #expect(y.data == x.data)
        let dX = flatten.backward(Tensor(shape: [2, 6], data: (0..<12).map { Float($0) * 2 }))
        #expect(dX.shape == [2, 3, 2, 1])
        #expect(dX.data[5] == 10)
    }

    @Test func gradientCheck() {
        var rng = SeededGenerator(seed: 7)
        let x = Tensor(shape: [2, 2, 3], data: (0..<12).map { _ in rng.uniform(-1, 1) })
        let results = GradientCheck.check(layer: Flatten(), input: x)
        #expect(results.map(\.name) == ["input"])
        #expect(results[0].relativeError < 1e-3)
    }
}
