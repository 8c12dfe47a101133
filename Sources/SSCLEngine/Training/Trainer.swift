import Foundation
import Logging

/// Why a run ended without a result.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// The train split holds fewer inputs than one batch (batches drop the remainder).
    case datasetTooSmall(trainCount: Int, batchSize: Int)
    /// `max_seconds` passed; a checkpoint was written first.
    case timeLimit(seconds: Double)
    /// The checkpoint does not belong to this job's model.
    case checkpointMismatch(String)
    /// The loss became NaN or infinite.
    case diverged(step: Int)

    public var description: String {
        switch self {
        case let .datasetTooSmall(n, b): "the train split has \(n) inputs, fewer than one batch of \(b)"
        case let .timeLimit(s): "the run exceeded its time limit of \(s) s (max_seconds); its checkpoint was kept"
        case let .checkpointMismatch(m): "the checkpoint does not match this job: \(m)"
        case let .diverged(step): "the loss is not finite at step \(step); try a lower learning rate"
        }
    }

    /// A stable snake_case code for APIs.
    public var code: String {
        switch self {
        case .datasetTooSmall: "dataset_too_small"
        case .timeLimit: "time_limit"
        case .checkpointMismatch: "checkpoint_mismatch"
        case .diverged: "diverged"
        }
    }
}

/// How a run ended.
public enum TrainingOutcome: Sendable {
    case completed(TrainingResult)
    /// A stop was requested; the checkpoint holds the exact position to resume from.
    case stopped(epoch: Int, globalStep: Int)
}

/// Trains a `ContrastiveModel` on a `Dataset` as a `JobSpec` describes: two augmented views
/// per input, encoder + head forward, contrastive loss, backward, optimiser step; evaluates
/// the frozen encoder every `eval.every_epochs` epochs and at the end; checkpoints at every
/// epoch end and when stopped. Synchronous: call it from a dedicated thread (`TrainingThread`).
public final class Trainer {
    public let spec: JobSpec
    public let dataset: Dataset
    public let model: ContrastiveModel
    let loss: ContrastiveLoss
    let optimizer: Optimizer
    let augmenter: ViewAugmenter
    let schedule: LearningRateSchedule
    let logger: Logger
    /// Canonical JSON of the resolved job, stored in checkpoints and the model export.
    public let jobJSON: String
    /// What `JobSpec.fitted` changed for this dataset, for the log.
    public let fittingNotes: [String]

    public var stepsPerEpoch: Int { dataset.train.count / spec.batchSize }
    public var totalSteps: Int { stepsPerEpoch * spec.epochs }

    // Position and random streams: everything a checkpoint must hold to resume exactly.
    var epoch = 0              // 0-based epoch in progress
    var stepInEpoch = 0        // steps done in that epoch
    var globalStep = 0         // steps done in the run
    var epochOrder: [Int] = []
    var orderRNG: SeededGenerator
    var augmentRNG: SeededGenerator
    var lossRNG: SeededGenerator
    /// Seconds trained by earlier attempts of this run (from the checkpoint).
    var priorSeconds: Double = 0
    var baseline: Baseline?
    var lastLoss = Double.nan
    var lastEvaluation: EvaluationReport?
    /// The false-negative diagnostics measured so far (`Trainer+Diagnostics.swift`).
    var diagnosticsTotals = DiagnosticsTotals()
    /// Seconds spent in evaluation by this attempt.
    var evalSeconds: Double = 0
    /// Where the baselines' scores are remembered (`EvaluationCache`); nil computes them every time.
    public var evaluationCache: EvaluationCache? = EvaluationCache.fromEnvironment()
    /// The final whole-split kNN's per-class report, for the result.
    var finalKNNReport: ClassificationReport?
    /// The final encoder's kNN on the evaluation sample, beside the baselines measured there.
    var finalSampleKnn: Double?
    /// Where evaluation time went, logged by `run` after each evaluation.
    var evaluationNotes: [String] = []
    /// When this attempt last wrote its checkpoint at an epoch end.
    var lastCheckpoint: Date?
    /// Whether the next step's views are rendered beside the current step (`Trainer+Views`):
    /// on one thread, where a core is left for it.
    var prefetchesViews: Bool
    /// Whether curve points are computed beside training, and the one under way
    /// (`Trainer+BackgroundEvaluation`).
    var evaluatesInBackground: Bool
    var pendingCurvePoint: TrainingThread<CurvePoint>?
    /// The next step's views, rendered on another thread while this step trains.
    var pendingViews: PendingViews?
    /// The most training a crash can lose, once the first epoch is saved.
    static let checkpointInterval: Double = 10

    /// The untrained encoder's and the raw inputs' kNN on the evaluation sample, measured
    /// once before training.
    struct Baseline: Equatable {
        var knn: Double
        var rawKnn: Double
    }

    /// `spec` is fitted to the dataset first (`JobSpec.fitted(trainCount:)`): `self.spec` is
    /// what runs, and `fittingNotes` say what the budget rules changed.
    public init(spec requested: JobSpec, dataset: Dataset, logger: Logger) throws {
        let (spec, notes) = requested.fitted(trainCount: dataset.train.count)
        fittingNotes = notes
        guard dataset.train.count >= spec.batchSize else {
            throw TrainingError.datasetTooSmall(trainCount: dataset.train.count, batchSize: spec.batchSize)
        }
        self.spec = spec
        self.dataset = dataset
        self.logger = logger
        self.jobJSON = String(decoding: spec.jsonData(pretty: false), as: UTF8.self)
        var initRNG = SeededGenerator(seed: spec.seed)
        model = ContrastiveModel(spec: spec.model, inputShape: dataset.rowShape, rng: &initRNG)
        loss = ContrastiveLoss(spec: spec.loss)
        optimizer = makeOptimizer(spec.optimizer, parameters: model.parameters)
        augmenter = ViewAugmenter(spec: spec.augment, dataset: dataset)
        schedule = LearningRateSchedule(spec: spec.schedule, baseLR: spec.optimizer.lr,
                                        stepsPerEpoch: dataset.train.count / spec.batchSize, epochs: spec.epochs)
        orderRNG = SeededGenerator(seed: spec.seed &+ 1)
        augmentRNG = SeededGenerator(seed: spec.seed &+ 2)
        prefetchesViews = spec.threads == 1
        evaluatesInBackground = spec.threads == 1
        lossRNG = SeededGenerator(seed: spec.seed &+ 3)
    }

    /// Runs to the end or until `stop` is raised. With `checkpointURL`, writes the
    /// checkpoint there at every epoch end and on stop. Call `restore(from:)` first to resume.
    public func run(checkpointURL: URL?, stop: StopSignal = StopSignal(),
                    onEvent: (TrainingEvent) -> Void = { _ in }) throws -> TrainingOutcome {
        BLAS.setThreads(spec.threads)
        let started = Date()
        func elapsed() -> Double { priorSeconds + Date().timeIntervalSince(started) }

        if baseline == nil {
            for note in fittingNotes { onEvent(TrainingEvent(.log("fitted to the data: \(note)"))) }
            baseline = measureBaseline()
            onEvent(TrainingEvent(.log(String(format: "baseline: raw-input kNN %.4f, random-encoder kNN %.4f",
                                                  baseline!.rawKnn, baseline!.knn))))
            flushEvaluationNotes(onEvent)
        }
        let batch = spec.batchSize
        while epoch < spec.epochs {
            // The order is drawn after the stop check of the epoch's first step, so a
            // checkpoint taken at an epoch boundary never holds a half-started epoch.
            var orderDrawn = stepInEpoch > 0 && epochOrder.count == dataset.train.count
            while stepInEpoch < stepsPerEpoch {
                if stop.isRequested {
                    discardPendingViews()
                    collectCurvePoint(wait: true, onEvent: onEvent)
                    try saveCheckpoint(checkpointURL, seconds: elapsed(), onEvent: onEvent)
                    return .stopped(epoch: epoch, globalStep: globalStep)
                }
                if elapsed() > spec.maxSeconds {
                    discardPendingViews()
                    collectCurvePoint(wait: true, onEvent: onEvent)
                    try saveCheckpoint(checkpointURL, seconds: elapsed(), onEvent: onEvent)
                    throw TrainingError.timeLimit(seconds: spec.maxSeconds)
                }
                if !orderDrawn {
                    epochOrder = orderRNG.permutation(dataset.train.count)
                    orderDrawn = true
                }
                let stepStart = Date()
                let indices = batchIndices(step: stepInEpoch)
                let lr = schedule.lr(at: globalStep)
                let views = takeViews(step: stepInEpoch, indices: indices)   // [2B, input...]
                if prefetchesViews && stepInEpoch + 1 < stepsPerEpoch { prefetchViews(step: stepInEpoch + 1) }
                let value = trainStep(views: views, lr: lr)
                guard value.isFinite else { throw TrainingError.diverged(step: globalStep + 1) }
                lastLoss = Double("\(value)") ?? Double(value)  // shortest decimal form, as printed
                stepInEpoch += 1
                globalStep += 1
                let seconds = Date().timeIntervalSince(stepStart)
                onEvent(TrainingEvent(.step(StepReport(
                    epoch: epoch + 1, epochs: spec.epochs, globalStep: globalStep, totalSteps: totalSteps,
                    loss: lastLoss, lr: Double("\(lr)") ?? Double(lr), imagesPerSecond: Double(batch) / max(seconds, 1e-9),
                    elapsedSeconds: elapsed()))))
                if let report = measureDiagnostics(indices: indices) { onEvent(TrainingEvent(.diagnostics(report))) }
                collectCurvePoint(wait: false, onEvent: onEvent)
            }
            epoch += 1
            stepInEpoch = 0
            if epoch % (spec.eval.everyEpochs ?? 1) == 0 || epoch == spec.epochs {
                // The linear probe (1,000 Adam steps) only after the last epoch: per-epoch kNN is
                // what the curves need, and the probe at every epoch took most of a small job's time.
                collectCurvePoint(wait: true, onEvent: onEvent)
                if evaluatesInBackground && epoch < spec.epochs {
                    startCurvePoint()
                } else {
                    let report = evaluate(probe: epoch == spec.epochs)
                    lastEvaluation = report
                    onEvent(TrainingEvent(.evaluation(report)))
                    flushEvaluationNotes(onEvent)
                }
            }
            // After the first epoch, then at most every `checkpointInterval` seconds, and at the
            // end: a small dataset's epochs take milliseconds, and a checkpoint per epoch made
            // writing checkpoints (and logging them) most of the job.
            let now = Date()
            if lastCheckpoint == nil || epoch == spec.epochs
                || now.timeIntervalSince(lastCheckpoint!) >= Self.checkpointInterval {
                try saveCheckpoint(checkpointURL, seconds: elapsed(), onEvent: onEvent)
                lastCheckpoint = now
            }
        }
        return .completed(makeResult(seconds: elapsed()))
    }

    private func flushEvaluationNotes(_ onEvent: (TrainingEvent) -> Void) {
        for note in evaluationNotes { onEvent(TrainingEvent(.log(note))) }
        evaluationNotes.removeAll()
    }

    /// One step on a batch's views: forward, loss, backward, update. Returns the loss.
    func trainStep(views: Tensor, lr: Float) -> Float {
        let embeddings = model.forward(views)                                                   // [2B, embedding]
        let (value, dEmbeddings) = loss.forwardBackward(embeddings: embeddings, rng: &lossRNG)
        model.zeroGrad()
        model.backward(dEmbeddings)
        optimizer.step(lr: lr)
        return value
    }

    func makeResult(seconds: Double) -> TrainingResult {
        var eval = lastEvaluation ?? evaluate(probe: true)
        if eval.linearAccuracy == nil && spec.eval.linearProbe { eval = evaluate(probe: true) }
        var result = TrainingResult(
            knnAccuracy: eval.knnAccuracy, linearAccuracy: eval.linearAccuracy,
            baselineKnnAccuracy: baseline?.knn ?? .nan, baselineLinearAccuracy: nil,
            rawKnnAccuracy: baseline?.rawKnn ?? .nan, alignment: eval.alignment, uniformity: eval.uniformity,
            epochs: spec.epochs, steps: globalStep, seconds: seconds, finalLoss: lastLoss,
            imagesPerSecond: Double(globalStep * spec.batchSize) / max(seconds, 1e-9),
            dataset: dataset.name, trainCount: dataset.train.count, testCount: dataset.test.count,
            representationSize: model.representationSize, version: SSCLVersion.string,
            blasCore: BLAS.coreName, threads: spec.threads)
        // A run resumed after its final evaluation has no sample figure yet: it costs one sample kNN.
        result.sampleKnnAccuracy = finalSampleKnn ?? sampleKNN()
        result.sampleTrainCount = min(Self.sampleTrainRows, dataset.train.count)
        result.sampleTestCount = min(Self.sampleTestRows, dataset.test.count)
        result.evalSeconds = evalSeconds
        if let report = finalKNNReport {
            result.perClassKnnAccuracy = report.perClassAccuracy
            result.confusionMatrix = report.confusionMatrix
        }
        result.diagnostics = diagnosticsTotals.summary
        return result
    }
}
