import Foundation

/// Curve points beside training, for one-thread jobs.
///
/// A job on one thread leaves the machine's other core all but idle (the view prefetcher
/// takes a few percent of it), yet each curve point stopped training for its whole length:
/// on the default Fashion-MNIST job, nine points of 0.7 s, 7% of the job. So at an epoch end
/// such a job copies its model (1.1 M floats, copy-on-write) and computes the point from the
/// copy on a thread of its own while the next epoch trains; the training thread emits it at
/// the first step after it is ready, so events still come from one thread and in order. The
/// point is the same as one computed in place (same model, same sample, same seeds).
///
/// Waits for it: the next evaluation, a stop, the time limit (so a checkpoint written then
/// includes it). A job that fails meanwhile drops it. `evalSeconds` counts only the time the
/// job spends copying and waiting; the point's own time is in its log line.
/// Jobs on more threads evaluate in place: their training already uses every core it was given,
/// and OpenBLAS's thread count is process-wide, so an evaluation thread beside them would change
/// how their training's GEMMs are split (the kNN's workers lower it to one while they run).
extension Trainer {
    func startCurvePoint() {
        let started = Date()
        defer { evalSeconds += Date().timeIntervalSince(started) }
        var unused = SeededGenerator(seed: 0)
        let snapshot = ContrastiveModel(spec: spec.model, inputShape: model.inputShape, rng: &unused)
        for (copy, live) in zip(snapshot.parameters + snapshot.buffers, model.parameters + model.buffers) {
            copy.value = live.value
        }
        let frozen = FrozenModel(model: snapshot)
        let (dataset, augmenter, spec, epoch, globalStep) = (dataset, augmenter, spec, epoch, globalStep)
        pendingCurvePoint = TrainingThread(name: "sscl-curve-point") {
            var point = Self.curvePoint(model: frozen.model, dataset: dataset, augmenter: augmenter, spec: spec,
                                        epoch: epoch, globalStep: globalStep)
            point.note += " (beside training)"
            return point
        }
    }

    /// Emits the curve point under way once it is ready; with `wait`, waits for it.
    func collectCurvePoint(wait: Bool, onEvent: (TrainingEvent) -> Void) {
        guard let pending = pendingCurvePoint, wait || pending.isFinished else { return }
        let started = Date()
        // curvePoint cannot throw.
        let point = try! pending.join()
        evalSeconds += Date().timeIntervalSince(started)
        pendingCurvePoint = nil
        lastEvaluation = point.report
        onEvent(TrainingEvent(.evaluation(point.report)))
        onEvent(TrainingEvent(.log(point.note)))
    }
}

/// A model no one else holds, handed to the curve point's thread.
private struct FrozenModel: @unchecked Sendable {
    let model: ContrastiveModel
}
