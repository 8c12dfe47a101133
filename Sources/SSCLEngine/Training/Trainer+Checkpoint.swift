import Foundation

extension Trainer {
    /// Captures everything needed to continue exactly: parameters, buffers, optimiser
    /// state, the three random streams, the epoch's data order and the position in it.
    public func makeCheckpoint(seconds: Double) -> Checkpoint {
        var tensors: [NamedTensor] = []
        for p in model.parameters { tensors.append(NamedTensor(name: "param/\(p.name)", shape: p.shape, values: p.value)) }
        for b in model.buffers { tensors.append(NamedTensor(name: "buffer/\(b.name)", shape: b.shape, values: b.value)) }
        let state = optimizer.state
        for key in state.slots.keys.sorted() {
            let values = state.slots[key]!
            tensors.append(NamedTensor(name: "opt/\(key)", shape: [values.count], values: values))
        }
        var scalars: [String: Double] = [
            "seconds": seconds, "optimizer_steps": Double(state.stepCount), "last_loss": lastLoss,
        ]
        if let b = baseline {   // on the evaluation sample (the keys of whole-split baselines were baseline_knn, raw_knn)
            scalars["sample_baseline_knn"] = b.knn
            scalars["sample_raw_knn"] = b.rawKnn
        }
        if let e = lastEvaluation {
            scalars["eval_epoch"] = Double(e.epoch)
            scalars["eval_step"] = Double(e.globalStep)
            scalars["eval_knn"] = e.knnAccuracy
            scalars["eval_alignment"] = e.alignment
            scalars["eval_uniformity"] = e.uniformity
            if let l = e.linearAccuracy { scalars["eval_linear"] = l }
        }
        return Checkpoint(
            jobJSON: jobJSON, epoch: epoch, stepInEpoch: stepInEpoch, globalStep: globalStep,
            epochOrder: epochOrder,
            rngStates: ["order": orderRNG.stateWords, "augment": augmentRNG.stateWords, "loss": lossRNG.stateWords],
            tensors: tensors, scalars: scalars)
    }

    /// Puts the trainer exactly where `checkpoint` left off. Only the model must match:
    /// a retry may change, say, `max_seconds`.
    public func restore(from checkpoint: Checkpoint) throws {
        let byName = Dictionary(checkpoint.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for p in model.parameters + model.buffers {
            let prefix = model.parameters.contains { $0 === p } ? "param/" : "buffer/"
            guard let t = byName[prefix + p.name] else {
                throw TrainingError.checkpointMismatch("no tensor \(prefix + p.name)")
            }
            guard t.shape == p.shape else {
                throw TrainingError.checkpointMismatch("\(p.name) has shape \(t.shape), the model needs \(p.shape)")
            }
            p.value = t.values
        }
        var slots: [String: [Float]] = [:]
        for t in checkpoint.tensors where t.name.hasPrefix("opt/") { slots[String(t.name.dropFirst(4))] = t.values }
        optimizer.state = OptimizerState(slots: slots, stepCount: Int(checkpoint.scalars["optimizer_steps"] ?? 0))
        for (key, words) in checkpoint.rngStates where words.count != 4 {
            throw TrainingError.checkpointMismatch("random state \(key) has \(words.count) words, not 4")
        }
        if let w = checkpoint.rngStates["order"] { orderRNG = SeededGenerator(state: w) }
        if let w = checkpoint.rngStates["augment"] { augmentRNG = SeededGenerator(state: w) }
        if let w = checkpoint.rngStates["loss"] { lossRNG = SeededGenerator(state: w) }
        guard checkpoint.epochOrder.isEmpty || checkpoint.epochOrder.count == dataset.train.count else {
            throw TrainingError.checkpointMismatch(
                "its data order covers \(checkpoint.epochOrder.count) inputs, the train split has \(dataset.train.count)")
        }
        epoch = checkpoint.epoch
        stepInEpoch = checkpoint.stepInEpoch
        globalStep = checkpoint.globalStep
        epochOrder = checkpoint.epochOrder
        priorSeconds = checkpoint.scalars["seconds"] ?? 0
        lastLoss = checkpoint.scalars["last_loss"] ?? .nan
        if let knn = checkpoint.scalars["sample_baseline_knn"], let raw = checkpoint.scalars["sample_raw_knn"] {
            baseline = Baseline(knn: knn, rawKnn: raw)
        }
        if let knn = checkpoint.scalars["eval_knn"] {
            lastEvaluation = EvaluationReport(
                epoch: Int(checkpoint.scalars["eval_epoch"] ?? 0), globalStep: Int(checkpoint.scalars["eval_step"] ?? 0),
                knnAccuracy: knn, linearAccuracy: checkpoint.scalars["eval_linear"],
                alignment: checkpoint.scalars["eval_alignment"] ?? .nan,
                uniformity: checkpoint.scalars["eval_uniformity"] ?? .nan)
        }
    }

    func saveCheckpoint(_ url: URL?, seconds: Double, onEvent: (TrainingEvent) -> Void) throws {
        guard let url else { return }
        try makeCheckpoint(seconds: seconds).write(to: url)
        onEvent(TrainingEvent(.checkpoint(RunPosition(epoch: epoch, step: globalStep))))
    }

    /// The encoder and head as safetensors, tensors named as the PyTorch modules
    /// (`encoder.1.weight`, ..., `head.2.bias`), the job JSON in the metadata.
    public func exportModel(to url: URL) throws {
        var tensors: [NamedTensor] = []
        for p in model.parameters + model.buffers { tensors.append(NamedTensor(name: p.name, shape: p.shape, values: p.value)) }
        try SafetensorsFile.write(tensors: tensors, metadata: [
            "format": "pt", "job": jobJSON, "sscl_version": SSCLVersion.string,
            "input_shape": model.inputShape.map(String.init).joined(separator: ","),
            "representation_size": String(model.representationSize),
            // How raw inputs become model rows (`InputPreprocessing`), and the weights' step.
            "preprocessing": dataset.preprocessing.jsonText, "global_step": String(globalStep),
        ], to: url)
    }
}
