/// The budget rules that turn a job into what runs on a given train split, so that defaults
/// fit small user datasets as well as Fashion-MNIST (issue 9: ten epochs of a 1,400-row set
/// are 50 steps, and such encoders were worse than their own random initialisation).
///
/// - batch: a train split of fewer than 2 × batch_size rows trains with the largest power of
///   two at most half its rows (at least 2), so that an epoch has at least two steps.
/// - epochs: with `min_steps`, max(epochs, ceil(min_steps / steps per epoch)).
/// - eval.every_epochs, when null: ceil(epochs / 10), about ten evaluations.
/// Deterministic in (spec, trainCount): a resumed run fits to the same job.
extension JobSpec {
    public func fitted(trainCount: Int) -> (spec: JobSpec, notes: [String]) {
        var s = self
        var notes: [String] = []
        if trainCount >= 4 && trainCount < 2 * s.batchSize {
            var b = 2
            while b * 2 <= trainCount / 2 { b *= 2 }
            notes.append("batch_size \(s.batchSize) -> \(b): the train split has \(trainCount) rows")
            s.batchSize = b
        }
        let perEpoch = max(1, trainCount / s.batchSize)
        if let minSteps = s.minSteps {
            let needed = (minSteps + perEpoch - 1) / perEpoch
            if needed > s.epochs {
                notes.append("epochs \(s.epochs) -> \(needed): at least \(minSteps) steps (min_steps) at \(perEpoch) per epoch")
                s.epochs = needed
            }
        }
        if s.eval.everyEpochs == nil {
            s.eval.everyEpochs = max(1, (s.epochs + 9) / 10)
        }
        return (s, notes)
    }
}
