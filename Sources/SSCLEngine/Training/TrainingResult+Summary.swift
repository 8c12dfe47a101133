import Foundation

extension TrainingResult {
    /// Whether the evaluation sample is the whole splits (the gains then compare `knnAccuracy`).
    public var sampleIsWholeSplits: Bool { sampleTrainCount >= trainCount && sampleTestCount >= testCount }

    /// The kNN accuracy next to its baselines, for terminals and logs: "kNN 0.8275 (random
    /// encoder 0.7777, raw inputs 0.7885)", naming the evaluation sample when the baselines were
    /// measured on part of the splits, and the linear probe when there is one.
    public var accuracySummary: String {
        var text = String(format: "kNN %.4f", knnAccuracy)
        if sampleIsWholeSplits {
            text += String(format: " (random encoder %.4f, raw inputs %.4f)", baselineKnnAccuracy, rawKnnAccuracy)
        } else {
            text += String(format: " (on the evaluation sample of %d train and %d test rows: %.4f against random encoder %.4f, raw inputs %.4f)",
                           sampleTrainCount, sampleTestCount, sampleKnnAccuracy, baselineKnnAccuracy, rawKnnAccuracy)
        }
        if let linearAccuracy { text += String(format: ", linear %.4f", linearAccuracy) }
        return text
    }
}
