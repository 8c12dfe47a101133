import Foundation

extension StepBenchmark {
    /// What the false-negative diagnostics cost next to a training step.
    public struct DiagnosticsCost: Sendable {
        /// Per-step wall times in milliseconds (forward, loss, backward, update), warm-up excluded.
        public var stepMilliseconds: [Double]
        /// Per-call wall times of `ContrastiveLoss.falseNegativeDiagnostics` on the same steps.
        public var diagnosticsMilliseconds: [Double]

        public var medianStepMilliseconds: Double { Self.median(stepMilliseconds) }
        public var medianDiagnosticsMilliseconds: Double { Self.median(diagnosticsMilliseconds) }
        /// The share of training time the diagnostics add when measured every `every` steps.
        public func overhead(every: Int) -> Double {
            medianDiagnosticsMilliseconds / (Double(every) * medianStepMilliseconds)
        }

        static func median(_ values: [Double]) -> Double {
            let s = values.sorted()
            return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
        }
    }

    /// Times each step and, right after it, the diagnostics of its batch (labels drawn from ten
    /// classes), so both medians come from the same run under the same load.
    public func diagnosticsCost(warmup: Int = 3, steps: Int = 20) -> DiagnosticsCost {
        var setup = makeSetup()
        let (model, loss, optimizer, input) = (setup.model, setup.loss, setup.optimizer, setup.input)
        var labelRNG = SeededGenerator(seed: 1)
        var cost = DiagnosticsCost(stepMilliseconds: [], diagnosticsMilliseconds: [])
        for i in 0..<(warmup + steps) {
            let start = DispatchTime.now().uptimeNanoseconds
            let embeddings = model.forward(input)  // [2B, 128]
            let (_, dEmbeddings) = loss.forwardBackward(embeddings: embeddings, rng: &setup.rng)
            model.zeroGrad()
            model.backward(dEmbeddings)
            optimizer.step(lr: 0.1)
            let stepped = DispatchTime.now().uptimeNanoseconds
            let labels = (0..<batch).map { _ in labelRNG.int(below: 10) }
            let measureStart = DispatchTime.now().uptimeNanoseconds
            _ = loss.falseNegativeDiagnostics(labels: labels, step: i + 1, epoch: 1)
            let measured = DispatchTime.now().uptimeNanoseconds
            if i >= warmup {
                cost.stepMilliseconds.append(Double(stepped - start) / 1e6)
                cost.diagnosticsMilliseconds.append(Double(measured - measureStart) / 1e6)
            }
        }
        return cost
    }
}
