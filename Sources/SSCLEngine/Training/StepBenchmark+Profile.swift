import Foundation

extension StepBenchmark {
    /// Where one training step's time goes: each layer's forward and backward, the loss
    /// (forward and backward together) and the optimiser, as medians over `steps` steps.
    public struct Profile: Sendable {
        public struct Entry: Sendable {
            public var name: String
            public var forwardMilliseconds: Double
            public var backwardMilliseconds: Double
            /// GEMM FLOPs of the stage (0 where it has none).
            public var forwardFlops: Double = 0
            public var backwardFlops: Double = 0

            /// The stage's rate over forward and backward together, or nil without GEMMs.
            public var gflops: Double? {
                let flops = forwardFlops + backwardFlops
                let seconds = (forwardMilliseconds + backwardMilliseconds) / 1000
                return flops > 0 && seconds > 0 ? flops / seconds / 1e9 : nil
            }
        }
        public var entries: [Entry]
        public var totalMilliseconds: Double
    }

    public func profile(warmup: Int = 2, steps: Int = 10) -> Profile {
        var setup = makeSetup()
        let (model, loss, optimizer, input) = (setup.model, setup.loss, setup.optimizer, setup.input)
        let layers: [(String, Layer)] = model.encoder.layers.map { ("encoder \(Self.describe($0))", $0) }
            + model.head.layers.map { ("head \(Self.describe($0))", $0) }
        var forward = [[Double]](repeating: [], count: layers.count + 2)
        var backward = [[Double]](repeating: [], count: layers.count + 2)
        var totals: [Double] = []
        var flops = [(forward: Double, backward: Double)](repeating: (0, 0), count: layers.count)
        func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
        for i in 0..<(warmup + steps) {
            let stepStart = now()
            var x = input
            var f = [Double](repeating: 0, count: layers.count + 2)
            var b = [Double](repeating: 0, count: layers.count + 2)
            for (j, (_, layer)) in layers.enumerated() {
                flops[j] = Self.gemmFlops(layer, input: x.shape)
                let t = now()
                x = layer.forward(x, training: true)
                f[j] = Double(now() - t) / 1e6
            }
            var t = now()
            let (_, dE) = loss.forwardBackward(embeddings: x, rng: &setup.rng)
            f[layers.count] = Double(now() - t) / 1e6
            model.zeroGrad()
            var d = dE
            for (j, (_, layer)) in layers.enumerated().reversed() {
                let t = now()
                d = layer.backward(d)
                b[j] = Double(now() - t) / 1e6
            }
            t = now()
            optimizer.step(lr: 0.1)
            f[layers.count + 1] = Double(now() - t) / 1e6
            if i >= warmup {
                for j in 0..<f.count { forward[j].append(f[j]); backward[j].append(b[j]) }
                totals.append(Double(now() - stepStart) / 1e6)
            }
        }
        func median(_ v: [Double]) -> Double { let s = v.sorted(); return s.isEmpty ? 0 : s[s.count / 2] }
        var entries = layers.enumerated().map { j, l in
            Profile.Entry(name: l.0, forwardMilliseconds: median(forward[j]), backwardMilliseconds: median(backward[j]),
                          forwardFlops: flops[j].forward, backwardFlops: flops[j].backward)
        }
        entries.append(Profile.Entry(name: "loss \(lossKind.rawValue) (forward+backward)",
                                     forwardMilliseconds: median(forward[layers.count]), backwardMilliseconds: 0))
        entries.append(Profile.Entry(name: "optimizer step", forwardMilliseconds: median(forward[layers.count + 1]),
                                     backwardMilliseconds: 0))
        return Profile(entries: entries, totalMilliseconds: median(totals))
    }

    static func describe(_ layer: Layer) -> String {
        switch layer {
        case let l as Linear: "Linear \(l.inputs)->\(l.outputs)"
        case let c as Conv2D: "Conv2D \(c.inChannels)->\(c.outChannels) k\(c.kernel) s\(c.stride)\(c.fusesReLU ? " +ReLU" : "")"
        default: "\(type(of: layer))"
        }
    }
}
