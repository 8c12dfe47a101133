/// The training curves a run reports. The raw values are the metric names everywhere: the
/// keys of step and eval lines, the store's metric rows, the REST API's `name` parameter.
public enum MetricName: String, Sendable, CaseIterable, Codable {
    case loss
    case lr
    case imagesPerSecond = "images_per_s"
    case knnAccuracy = "knn_accuracy"
    case linearAccuracy = "linear_accuracy"
    case alignment
    case uniformity
    // False-negative diagnostics (`FalseNegativeRates`), every `eval.diagnostics_every` steps.
    case fnRateAll = "fn_rate_all"
    case fnRateHard = "fn_rate_hard"
    case fnRateSyntheticOne = "fn_rate_synthetic_one"
    case fnRateSyntheticBoth = "fn_rate_synthetic_both"
    case fnWeightShare = "fn_weight_share"
}
