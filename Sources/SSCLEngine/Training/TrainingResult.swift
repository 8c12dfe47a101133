/// The summary of a finished run, written as `result.json`.
public struct TrainingResult: Sendable, Equatable, Codable {
    public var knnAccuracy: Double
    public var linearAccuracy: Double?
    /// The same protocols on the randomly initialised encoder (same seed and shape).
    public var baselineKnnAccuracy: Double
    public var baselineLinearAccuracy: Double?
    /// kNN on the raw (scaled or standardised) inputs.
    public var rawKnnAccuracy: Double
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

    enum CodingKeys: String, CodingKey {
        case knnAccuracy = "knn_accuracy", linearAccuracy = "linear_accuracy"
        case baselineKnnAccuracy = "baseline_knn_accuracy", baselineLinearAccuracy = "baseline_linear_accuracy"
        case rawKnnAccuracy = "raw_knn_accuracy", alignment, uniformity, epochs, steps, seconds
        case finalLoss = "final_loss", imagesPerSecond = "images_per_s", dataset
        case trainCount = "train_count", testCount = "test_count", representationSize = "representation_size"
        case version, blasCore = "blas_core", threads
    }
}

/// The engine's version, reported in results and by `sscl --version`.
public enum SSCLVersion {
    public static let string = "0.1.0"
}
