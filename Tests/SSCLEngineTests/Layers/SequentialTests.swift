import Testing
@testable import SSCLEngine

@Suite struct SequentialTests {
    private func makeNetwork(batchNorm: Bool) -> Sequential {
        var rng = SeededGenerator(seed: 51)
        var layers: [Layer] = [Conv2D(name: "encoder.0", inChannels: 2, outChannels: 4, kernel: 3, stride: 2,
                                      padding: 1, rng: &rng)]
        if batchNorm { layers.append(BatchNorm(name: "encoder.1", features: 4)) }
        layers += [ReLU(), GlobalAveragePool(), Linear(name: "head", inputs: 4, outputs: 3, rng: &rng)]
        return Sequential(layers)
    }

    @Test func parametersAndBuffersAreConcatenatedInOrder() {
        let network = makeNetwork(batchNorm: true)
        #expect(network.parameters.map(\.name) == [
            "encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias", "head.weight", "head.bias",
        ])
        #expect(network.buffers.map(\.name) == ["encoder.1.running_mean", "encoder.1.running_var"])
    }

    @Test func forwardIsTheCompositionOfLayers() {
        let network = makeNetwork(batchNorm: false)
        var rng = SeededGenerator(seed: 52)
        let x = Tensor(shape: [2, 2, 6, 6], data: (0..<144).map { _ in rng.uniform(-1, 1) })
        let composed = network.layers.reduce(x) { $1.forward($0, training: false) }
        let y = network.forward(x, training: false)
        #expect(y.shape == [2, 3])
        #expect(y.data == composed.data)
    }

    @Test(arguments: [false, true])
    func gradientCheckConvReluPoolLinear(batchNorm: Bool) {
        let network = makeNetwork(batchNorm: batchNorm)
        var rng = SeededGenerator(seed: 53)
        let x = Tensor(shape: [3, 2, 6, 6], data: (0..<216).map { _ in rng.uniform(-1, 1) })
        let results = GradientCheck.check(layer: network, input: x)
        #expect(results.count == 1 + network.parameters.count)
        for result in results {
            #expect(result.relativeError < 1e-2, "\(result.name): \(result.relativeError)")
        }
    }
}
