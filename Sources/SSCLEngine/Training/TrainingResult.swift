import Foundation

/// The summary of a finished run, written as `result.json`.
public struct TrainingResult: Sendable, Equatable, Codable {
    /// kNN on the whole splits.
    public var knnAccuracy: Double
    public var linearAccuracy: Double?
    /// kNN of the randomly initialised encoder (same seed and shape), on the evaluation sample.
    public var baselineKnnAccuracy: Double
    /// The linear probe of the random encoder: measured by results before the evaluation
    /// sample; nil (`null`) since, as the kNN baselines say whether training helped.
    public var baselineLinearAccuracy: Double?
    /// kNN on the raw (scaled or standardised) inputs, on the evaluation sample.
    public var rawKnnAccuracy: Double
    /// The learned encoder's kNN on the evaluation sample (`Trainer.sampleTestRows` test and
    /// `sampleTrainRows` train rows at most, fixed), where the baselines are measured; equal
    /// to `knnAccuracy` when the splits fit in it. Read as `knnAccuracy` from older results,
    /// whose baselines were whole-split.
    public var sampleKnnAccuracy: Double = .nan
    public var sampleTrainCount = 0
    public var sampleTestCount = 0
    public var alignment: Double
    public var uniformity: Double
    public var epochs: Int
    public var steps: Int
    public var seconds: Double
    public var finalLoss: Double
    public var imagesPerSecond: Double
    public var dataset: String
    public var trainCount: Int
    public var testCount: Int
    public var representationSize: Int
    public var version: String
    public var blasCore: String
    public var threads: Int
    /// Seconds spent evaluating instead of training (baselines, curve points, the final kNN and
    /// probe), within `seconds`; of a curve point computed beside training, only the model's
    /// copy and any wait for it.
    public var evalSeconds: Double = 0
    /// The final whole-split kNN per class (index = class; NaN, written `null`, for a class
    /// without test rows) and its confusion matrix (row = true class, column = kNN prediction),
    /// from the same predictions as `knnAccuracy`. Empty in results written before them.
    public var perClassKnnAccuracy: [Double] = []
    public var confusionMatrix: [[Int]] = []
    /// The false-negative diagnostics over the run; nil (left out) when they were off.
    public var diagnostics: DiagnosticsSummary?
    /// Did training help? kNN accuracy minus the raw inputs' and the random encoder's, all
    /// three on the evaluation sample.
    public var gainOverRaw: Double { sampleKnnAccuracy - rawKnnAccuracy }
    public var gainOverRandom: Double { sampleKnnAccuracy - baselineKnnAccuracy }
    /// Plain sentences for the user when the result is not what training should give.
    public var warnings: [String] {
        var out: [String] = []
        if gainOverRaw < 0 {
            out.append(String(format: "the learned encoder's kNN accuracy (%.4f) is below the raw inputs' (%.4f): "
                              + "try more steps (min_steps), other augmentations, or the raw features", sampleKnnAccuracy, rawKnnAccuracy))
        }
        if gainOverRandom < 0 {
            out.append(String(format: "the learned encoder's kNN accuracy (%.4f) is below its random initialisation's (%.4f): "
                              + "training did not help; check the learning rate and the number of steps", sampleKnnAccuracy, baselineKnnAccuracy))
        }
        if !finalLoss.isNaN && !finalLoss.isFinite { out.append("the final loss is not finite") }
        return out
    }

    enum CodingKeys: String, CodingKey {
        case knnAccuracy = "knn_accuracy", linearAccuracy = "linear_accuracy"
        case baselineKnnAccuracy = "baseline_knn_accuracy", baselineLinearAccuracy = "baseline_linear_accuracy"
        case rawKnnAccuracy = "raw_knn_accuracy", sampleKnnAccuracy = "sample_knn_accuracy"
        case sampleTrainCount = "sample_train_count", sampleTestCount = "sample_test_count", alignment, uniformity, epochs, steps, seconds
        case finalLoss = "final_loss", imagesPerSecond = "images_per_s", dataset
        case trainCount = "train_count", testCount = "test_count", representationSize = "representation_size"
        case version, blasCore = "blas_core", threads
        case perClassKnnAccuracy = "per_class_knn_accuracy", confusionMatrix = "confusion_matrix"
        case diagnostics
        case evalSeconds = "eval_seconds", gainOverRaw = "gain_over_raw", gainOverRandom = "gain_over_random", warnings
    }

    public init(knnAccuracy: Double, linearAccuracy: Double?, baselineKnnAccuracy: Double,
                baselineLinearAccuracy: Double?, rawKnnAccuracy: Double, alignment: Double, uniformity: Double,
                epochs: Int, steps: Int, seconds: Double, finalLoss: Double, imagesPerSecond: Double,
                dataset: String, trainCount: Int, testCount: Int, representationSize: Int, version: String,
                blasCore: String, threads: Int) {
        self.knnAccuracy = knnAccuracy
        self.linearAccuracy = linearAccuracy
        self.baselineKnnAccuracy = baselineKnnAccuracy
        self.baselineLinearAccuracy = baselineLinearAccuracy
        self.rawKnnAccuracy = rawKnnAccuracy
        self.alignment = alignment
        self.uniformity = uniformity
        self.epochs = epochs
        self.steps = steps
        self.seconds = seconds
        self.finalLoss = finalLoss
        self.imagesPerSecond = imagesPerSecond
        self.dataset = dataset
        self.trainCount = trainCount
        self.testCount = testCount
        self.representationSize = representationSize
        self.version = version
        self.blasCore = blasCore
        self.threads = threads
        // The evaluation sample is the whole splits unless the trainer says otherwise.
        sampleKnnAccuracy = knnAccuracy
        sampleTrainCount = trainCount
        sampleTestCount = testCount
    }

    /// Every key is written; numbers that are not finite (a baseline never measured, the
    /// loss of a run resumed at its end) are `null` and read back as NaN (nil when optional).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeNumber(knnAccuracy, forKey: .knnAccuracy)
        try c.encodeNumber(linearAccuracy, forKey: .linearAccuracy)
        try c.encodeNumber(baselineKnnAccuracy, forKey: .baselineKnnAccuracy)
        try c.encodeNumber(baselineLinearAccuracy, forKey: .baselineLinearAccuracy)
        try c.encodeNumber(rawKnnAccuracy, forKey: .rawKnnAccuracy)
        try c.encodeNumber(sampleKnnAccuracy, forKey: .sampleKnnAccuracy)
        try c.encode(sampleTrainCount, forKey: .sampleTrainCount)
        try c.encode(sampleTestCount, forKey: .sampleTestCount)
        try c.encodeNumber(alignment, forKey: .alignment)
        try c.encodeNumber(uniformity, forKey: .uniformity)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(steps, forKey: .steps)
        try c.encodeNumber(seconds, forKey: .seconds)
        try c.encodeNumber(finalLoss, forKey: .finalLoss)
        try c.encodeNumber(imagesPerSecond, forKey: .imagesPerSecond)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(trainCount, forKey: .trainCount)
        try c.encode(testCount, forKey: .testCount)
        try c.encode(representationSize, forKey: .representationSize)
        try c.encode(version, forKey: .version)
        try c.encode(blasCore, forKey: .blasCore)
        try c.encode(threads, forKey: .threads)
        try c.encodeNumber(evalSeconds, forKey: .evalSeconds)
        // Absent, not empty, when unknown (a result written before they existed, or a run resumed
        // after its final evaluation), so that reading and writing a result changes nothing.
        if !perClassKnnAccuracy.isEmpty {
            try c.encode(perClassKnnAccuracy.map { $0.isFinite ? $0 : nil }, forKey: .perClassKnnAccuracy)
        }
        if !confusionMatrix.isEmpty { try c.encode(confusionMatrix, forKey: .confusionMatrix) }
        try c.encodeNumber(gainOverRaw, forKey: .gainOverRaw)
        try c.encodeNumber(gainOverRandom, forKey: .gainOverRandom)
        try c.encode(warnings, forKey: .warnings)
        try c.encodeIfPresent(diagnostics, forKey: .diagnostics)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        knnAccuracy = try c.decodeNumber(forKey: .knnAccuracy)
        linearAccuracy = try c.decodeOptionalNumber(forKey: .linearAccuracy)
        baselineKnnAccuracy = try c.decodeNumber(forKey: .baselineKnnAccuracy)
        baselineLinearAccuracy = try c.decodeOptionalNumber(forKey: .baselineLinearAccuracy)
        rawKnnAccuracy = try c.decodeNumber(forKey: .rawKnnAccuracy)
        sampleKnnAccuracy = c.contains(.sampleKnnAccuracy) ? try c.decodeNumber(forKey: .sampleKnnAccuracy) : knnAccuracy
        alignment = try c.decodeNumber(forKey: .alignment)
        uniformity = try c.decodeNumber(forKey: .uniformity)
        epochs = try c.decode(Int.self, forKey: .epochs)
        steps = try c.decode(Int.self, forKey: .steps)
        seconds = try c.decodeNumber(forKey: .seconds)
        finalLoss = try c.decodeNumber(forKey: .finalLoss)
        imagesPerSecond = try c.decodeNumber(forKey: .imagesPerSecond)
        dataset = try c.decode(String.self, forKey: .dataset)
        trainCount = try c.decode(Int.self, forKey: .trainCount)
        testCount = try c.decode(Int.self, forKey: .testCount)
        representationSize = try c.decode(Int.self, forKey: .representationSize)
        version = try c.decode(String.self, forKey: .version)
        blasCore = try c.decode(String.self, forKey: .blasCore)
        threads = try c.decode(Int.self, forKey: .threads)
        sampleTrainCount = try c.decodeIfPresent(Int.self, forKey: .sampleTrainCount) ?? trainCount
        sampleTestCount = try c.decodeIfPresent(Int.self, forKey: .sampleTestCount) ?? testCount
        // Absent in results written before these fields existed; gains and warnings are derived.
        evalSeconds = (try? c.decodeNumber(forKey: .evalSeconds)) ?? 0
        perClassKnnAccuracy = try c.decodeIfPresent([Double?].self, forKey: .perClassKnnAccuracy)?.map { $0 ?? .nan } ?? []
        confusionMatrix = try c.decodeIfPresent([[Int]].self, forKey: .confusionMatrix) ?? []
        diagnostics = try c.decodeIfPresent(DiagnosticsSummary.self, forKey: .diagnostics)
    }
}

/// The engine's version, reported in results and by `sscl --version`.
public enum SSCLVersion {
    public static let string = "0.1.0"
}

extension TrainingResult {
    /// Compact JSON with sorted keys: the same bytes the result has inside a `result` event
    /// line, and what the service stores as the job's result.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Non-finite numbers are written as null: encoding cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }
}
