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
}
