import Foundation

/// Times one full training step — forward, loss, backward, optimiser update — on fixed random
/// input, exactly as `shared/reference/torch_bench.py` does for PyTorch, so the two can be
/// compared side by side: batch B inputs of 1x28x28 (2B views), SGD momentum 0.9, weight decay
/// 1e-4, lr 0.1; mlp = 784-512-512 with head 512-512-128; cnn = conv 32, 64/2, 128/2 + GAP with
/// head 128-512-128; ntxent t = 0.5; sscl t = 0.5, tau_plus 0.1, beta 1, s 32, k 8, pair.
public struct StepBenchmark {
    public struct Report: Sendable {
        public var model: EncoderKind
        public var loss: LossKind
        public var threads: Int
        public var batch: Int
        /// Per-step wall times in milliseconds, warm-up excluded.
        public var stepMilliseconds: [Double]
        /// Multiply-adds counted as 2 FLOPs, from the layer shapes (forward + backward).
        public var flopsPerStep: Double

        public var medianMilliseconds: Double {
            let s = stepMilliseconds.sorted()
            return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
        }
        public var imagesPerSecond: Double { Double(batch) / (medianMilliseconds / 1000) }
        public var gflops: Double { flopsPerStep / (medianMilliseconds / 1000) / 1e9 }
    }

    public let model: EncoderKind
    public let lossKind: LossKind
    public let threads: Int
    public let batch: Int

    public init(model: EncoderKind, loss: LossKind, threads: Int, batch: Int = 256) {
        self.model = model
        self.lossKind = loss
        self.threads = threads
        self.batch = batch
    }

    /// The job the benchmark's shapes and hyperparameters correspond to.
    public var spec: JobSpec {
        var spec = JobSpec(dataset: DatasetSpec(source: .builtin("fashion-mnist")))
        spec.model.encoder = model
        spec.model.hidden = [512, 512]
        spec.model.channels = [32, 64, 128]
        spec.model.projection = [512, 128]
        spec.loss = .defaults(for: lossKind)
        spec.optimizer = .defaults(for: .sgd)
        spec.batchSize = batch
        spec.threads = threads
        return spec
    }

    /// The model, loss, optimiser and fixed input of one configuration, with BLAS threads set.
    struct Setup {
        var model: ContrastiveModel
        var loss: ContrastiveLoss
        var optimizer: Optimizer
        var input: Tensor  // [2B, 1, 28, 28]
        var rng: SeededGenerator
    }

    func makeSetup() -> Setup {
        BLAS.setThreads(threads)
        let spec = self.spec
        var rng = SeededGenerator(seed: 0)
        let model = ContrastiveModel(spec: spec.model, inputShape: [1, 28, 28], rng: &rng)
        let input = Tensor(shape: [2 * batch, 1, 28, 28], data: (0..<(2 * batch * 784)).map { _ in rng.uniform() })
        return Setup(model: model, loss: ContrastiveLoss(spec: spec.loss),
                     optimizer: makeOptimizer(spec.optimizer, parameters: model.parameters), input: input, rng: rng)
    }

    public func run(warmup: Int = 3, steps: Int = 20) -> Report {
        var setup = makeSetup()
        let (model, loss, optimizer, input) = (setup.model, setup.loss, setup.optimizer, setup.input)
        var times: [Double] = []
        for i in 0..<(warmup + steps) {
            let start = DispatchTime.now().uptimeNanoseconds
            let embeddings = model.forward(input)                     // [2B, 128]
            let (_, dEmbeddings) = loss.forwardBackward(embeddings: embeddings, rng: &setup.rng)
            model.zeroGrad()
            model.backward(dEmbeddings)
            optimizer.step(lr: 0.1)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if i >= warmup { times.append(ms) }
        }
        return Report(model: model.encoder.layers.contains { $0 is Conv2D } ? .cnn : .mlp, loss: lossKind,
                      threads: threads, batch: batch, stepMilliseconds: times, flopsPerStep: flops(model))
    }

    /// Forward 2mnk per GEMM; backward twice that (dX and dWeight), once where dX is skipped;
    /// the loss adds its two 2B x 2B x d GEMMs.
    func flops(_ model: ContrastiveModel) -> Double {
        let views = Double(2 * batch)
        var total = 0.0
        var h = 28, w = 28
        for layer in model.encoder.layers + model.head.layers {
            if let l = layer as? Linear {
                let f = 2 * views * Double(l.inputs * l.outputs)
                total += f * (l.computesInputGradient ? 3 : 2)
            } else if let c = layer as? Conv2D {
                let out = c.outputSize(height: h, width: w)
                let f = 2 * views * Double(out.height * out.width * c.outChannels * c.inChannels * c.kernel * c.kernel)
                total += f * (c.computesInputGradient ? 3 : 2)
                (h, w) = (out.height, out.width)
            }
        }
        total += 2 * 2 * views * views * Double(model.embeddingSize)
        return total
    }
}
