import Testing
@testable import SSCLEngine

@Suite struct LinearTests {
    private func makeLayer() -> Linear {
        var rng = SeededGenerator(seed: 1)
        let layer = Linear(name: "encoder.0", inputs: 3, outputs: 2, rng: &rng)
        layer.weight.value = [1, 2, 3,
                              -1, 0, 0.5]  // [2, 3]
        layer.bias.value = [0.5, -1]
        return layer
    }

    @Test func namesShapesAndDecay() {
        let layer = makeLayer()
        #expect(layer.parameters.map(\.name) == ["encoder.0.weight", "encoder.0.bias"])
        #expect(layer.weight.shape == [2, 3])
        #expect(layer.bias.shape == [2])
        #expect(layer.weight.decays && !layer.bias.decays)
        #expect(layer.buffers.isEmpty)
    }

    @Test func forwardMatchesHandResult() {
        let layer = makeLayer()
        let x = Tensor(shape: [2, 3], data: [1, 0, -1,
                                             2, 1, 1])
        let y = layer.forward(x, training: false)
        // Row 0: [1-3+0.5, -1-0.5-1] = [-1.5, -2.5]; row 1: [2+2+3+0.5, -2+0.5-1] = [7.5, -2.5]
        #expect(y.shape == [2, 2])
        #expect(y.data == [-1.5, -2.5, 7.5, -2.5])
    }

    @Test func backwardMatchesHandResultAndAccumulates() {
        let layer = makeLayer()
        let x = Tensor(shape: [2, 3], data: [1, 0, -1, 2, 1, 1])
        let dY = Tensor(shape: [2, 2], data: [1, 0, 0, 2])
        _ = layer.forward(x, training: true)
        let dX = layer.backward(dY)
        // dX = dY W = [[1, 2, 3], [-2, 0, 1]]
        #expect(dX.data == [1, 2, 3, -2, 0, 1])
        // dWeight = dY^T X = [[1, 0, -1], [4, 2, 2]]; dBias = [1, 2]
        #expect(layer.weight.grad == [1, 0, -1, 4, 2, 2])
        #expect(layer.bias.grad == [1, 2])
        _ = layer.forward(x, training: true)
        _ = layer.backward(dY)
        #expect(layer.weight.grad == [2, 0, -2, 8, 4, 4])
        #expect(layer.bias.grad == [2, 4])
    }

    @Test func gradientCheck() {
        var rng = SeededGenerator(seed: 5)
        let layer = Linear(name: "fc", inputs: 7, outputs: 4, rng: &rng)
        layer.bias.value = (0..<4).map { _ in rng.uniform(-1, 1) }
        let x = Tensor(shape: [5, 7], data: (0..<35).map { _ in rng.uniform(-1, 1) })
        for result in GradientCheck.check(layer: layer, input: x) {
            #expect(result.relativeError < 1e-2, "\(result.name): \(result.relativeError)")
        }
    }
}

@Suite struct LinearInputGradientTests {
    @Test func skippingTheInputGradientKeepsParameterGradients() {
        var rng = SeededGenerator(seed: 11)
        let x = Tensor(shape: [3, 4], data: (0..<12).map { _ in rng.uniform(-1, 1) })
        let dY = Tensor(shape: [3, 2], data: (0..<6).map { _ in rng.uniform(-1, 1) })
        var r1 = SeededGenerator(seed: 5), r2 = SeededGenerator(seed: 5)
        let full = Linear(name: "a", inputs: 4, outputs: 2, rng: &r1)
        let first = Linear(name: "b", inputs: 4, outputs: 2, rng: &r2)
        first.computesInputGradient = false
        _ = full.forward(x, training: true)
        _ = first.forward(x, training: true)
        let dXFull = full.backward(dY)
        let dXFirst = first.backward(dY)
        #expect(first.weight.grad == full.weight.grad)
        #expect(first.bias.grad == full.bias.grad)
        #expect(dXFirst.data.allSatisfy { $0 == 0 })
        #expect(dXFull.data.contains { $0 != 0 })
    }
}
