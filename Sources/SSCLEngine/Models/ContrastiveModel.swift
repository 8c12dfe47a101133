/// An encoder f (whose output is the representation used downstream) followed by a
/// projection head g (whose output goes into the contrastive loss): e = g(f(x)).
///
/// Layer positions mirror PyTorch's `nn.Sequential`, so parameter names such as
/// `encoder.1.weight` load into the equivalent torch module (see README, "Model export").
public final class ContrastiveModel {
    public let encoder: Sequential
    public let head: Sequential
    /// Width of f(x).
    public let representationSize: Int
    /// Width of g(f(x)).
    public let embeddingSize: Int
    /// Shape of one input row: [C, H, W] for images, [F] for tabular rows.
    public let inputShape: [Int]

    /// Builds the encoder and head of `spec` for inputs of `inputShape`, Kaiming-initialised from `rng`.
    public init(spec: ModelSpec, inputShape: [Int], rng: inout SeededGenerator) {
        self.inputShape = inputShape
        var layers: [Layer] = []
        var width: Int
        switch spec.encoder {
        case .mlp:
            layers.append(Flatten())
            width = inputShape.reduce(1, *)
            for h in spec.hidden {
                let linear = Linear(name: "encoder.\(layers.count)", inputs: width, outputs: h, rng: &rng)
                // Nothing needs dLoss/dInput of the first layer.
                if layers.count == 1 { linear.computesInputGradient = false }
                layers.append(linear)
                if spec.batchNorm { layers.append(BatchNorm(name: "encoder.\(layers.count)", features: h)) }
                layers.append(ReLU())
                width = h
            }
        case .cnn:
            precondition(inputShape.count == 3, "the CNN encoder needs [C, H, W] inputs")
            width = inputShape[0]
            // Names follow the unfused torch layout (conv, [bn,] relu, ...): `position` counts
            // the ReLU that a conv without batch norm fuses into itself.
            var position = 0
            for (stage, c) in spec.channels.enumerated() {
                let fuse = !spec.batchNorm
                let conv = Conv2D(name: "encoder.\(position)", inChannels: width, outChannels: c,
                                  kernel: 3, stride: stage == 0 ? 1 : 2, padding: 1, fusesReLU: fuse, rng: &rng)
                // Nothing needs dLoss/dInput of the first layer.
                if stage == 0 { conv.computesInputGradient = false }
                layers.append(conv)
                position += 1
                if spec.batchNorm {
                    layers.append(BatchNorm(name: "encoder.\(position)", features: c))
                    position += 1
                }
                if !fuse { layers.append(ReLU()) }
                position += 1
                width = c
            }
            layers.append(GlobalAveragePool())
        }
        encoder = Sequential(layers)
        representationSize = width

        var headLayers: [Layer] = []
        for (i, h) in spec.projection.enumerated() {
            headLayers.append(Linear(name: "head.\(headLayers.count)", inputs: width, outputs: h, rng: &rng))
            if i < spec.projection.count - 1 {
                if spec.batchNorm { headLayers.append(BatchNorm(name: "head.\(headLayers.count)", features: h)) }
                headLayers.append(ReLU())
            }
            width = h
        }
        head = Sequential(headLayers)
        embeddingSize = width
    }

    /// Trainable parameters, encoder first.
    public var parameters: [Parameter] { encoder.parameters + head.parameters }
    /// Non-trainable state (batch-norm running statistics).
    public var buffers: [Parameter] { encoder.buffers + head.buffers }

    /// g(f(x)) in training mode; saves what `backward` needs.
    public func forward(_ x: Tensor) -> Tensor {
        head.forward(encoder.forward(x, training: true), training: true)
    }

    /// Accumulates parameter gradients from dLoss/dEmbeddings [2B, embeddingSize].
    public func backward(_ dEmbeddings: Tensor) {
        _ = encoder.backward(head.backward(dEmbeddings))
    }

    public func zeroGrad() {
        for p in parameters { p.zeroGrad() }
    }

    /// f(x) for every row of `features` ([count, rowSize]) in evaluation mode, in chunks.
    /// Returns [count, representationSize].
    public func representations(of features: [Float], count: Int, chunk: Int = 1024) -> [Float] {
        mapChunks(features, count: count, width: representationSize, chunk: chunk) {
            encoder.forward($0, training: false)
        }
    }

    /// g(f(x)) in evaluation mode, [count, embeddingSize].
    public func embeddings(of features: [Float], count: Int, chunk: Int = 1024) -> [Float] {
        mapChunks(features, count: count, width: embeddingSize, chunk: chunk) {
            head.forward(encoder.forward($0, training: false), training: false)
        }
    }

    private func mapChunks(_ features: [Float], count: Int, width: Int, chunk: Int,
                           _ body: (Tensor) -> Tensor) -> [Float] {
        let rowSize = inputShape.reduce(1, *)
        precondition(features.count == count * rowSize, "features do not match the model's input shape")
        var out = [Float](repeating: 0, count: count * width)
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            let x = Tensor(shape: [n] + inputShape, data: Array(features[(start * rowSize)..<((start + n) * rowSize)]))
            let y = body(x)
            out.replaceSubrange((start * width)..<((start + n) * width), with: y.data)
            start += n
        }
        return out
    }
}
