import Testing
@testable import SSCLEngine

/// Colour inputs through both encoders: shapes from the channel count, and gradients that
/// match finite differences for every input channel and parameter.
@Suite struct ContrastiveModelTests {
    private func model(_ encoder: EncoderKind, inputShape: [Int], batchNorm: Bool = false) -> ContrastiveModel {
        var spec = ModelSpec()
        spec.encoder = encoder
        spec.hidden = [6]
        spec.channels = [4, 5]
        spec.projection = [5, 3]
        spec.batchNorm = batchNorm
        var rng = SeededGenerator(seed: 11)
        return ContrastiveModel(spec: spec, inputShape: inputShape, rng: &rng)
    }

    private func input(_ shape: [Int], seed: UInt64 = 5) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in rng.uniform(0, 1) })
    }

    /// The whole model g(f(x)) as one layer, with the first layer's input gradient switched
    /// on so the check also covers dL/dx in every channel.
    private func wholeModel(_ m: ContrastiveModel) -> Sequential {
        if let conv = m.encoder.layers.first as? Conv2D { conv.computesInputGradient = true }
        if let linear = m.encoder.layers.dropFirst().first as? Linear { linear.computesInputGradient = true }
        return Sequential(m.encoder.layers + m.head.layers)
    }

    @Test func theCNNsFirstConvolutionTakesTheImageChannels() {
        let m = model(.cnn, inputShape: [3, 6, 6])
        #expect(m.parameters.first?.name == "encoder.0.weight" && m.parameters.first?.shape == [4, 3, 3, 3])
        #expect(m.representationSize == 5 && m.embeddingSize == 3)
        let y = m.representations(of: input([2, 3, 6, 6]).data, count: 2)
        #expect(y.count == 2 * 5 && y.allSatisfy(\.isFinite))
    }

    @Test func theMLPFlattensChannelsTimesPixels() {
        let m = model(.mlp, inputShape: [3, 4, 4])
        #expect(m.parameters.first?.name == "encoder.1.weight" && m.parameters.first?.shape == [6, 48])
    }

    @Test(arguments: [false, true])
    func aThreeChannelCNNPassesTheGradientCheck(batchNorm: Bool) {
        let m = model(.cnn, inputShape: [3, 6, 6], batchNorm: batchNorm)
        // Every entry of the input (4 x 3 x 6 x 6 = 432), so each channel is checked; 4 rows so
        // the head's batch norm is not degenerate (with 2 rows it outputs only ±1).
        let results = GradientCheck.check(layer: wholeModel(m), input: input([4, 3, 6, 6]), maxEntriesPerTensor: 432)
        #expect(results.count == 1 + m.parameters.count)
        for r in results { #expect(r.relativeError < GradientCheck.tolerance, "\(r.name): \(r.relativeError)") }
    }

    @Test func aThreeChannelMLPPassesTheGradientCheck() {
        let m = model(.mlp, inputShape: [3, 4, 4])
        let results = GradientCheck.check(layer: wholeModel(m), input: input([3, 3, 4, 4]), maxEntriesPerTensor: 144)
        for r in results { #expect(r.relativeError < GradientCheck.tolerance, "\(r.name): \(r.relativeError)") }
    }

    /// The channels are not mixed up or averaged away: the output changes when only the blue
    /// plane changes, and the input gradient differs between the planes.
    @Test func eachChannelReachesTheOutput() {
        let m = model(.cnn, inputShape: [3, 6, 6])
        let x = input([1, 3, 6, 6])
        var blue = x
        for i in 72..<108 { blue.data[i] += 0.5 }
        #expect(m.embeddings(of: x.data, count: 1) != m.embeddings(of: blue.data, count: 1))
    }
}
