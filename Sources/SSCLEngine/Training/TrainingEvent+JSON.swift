import Foundation

extension TrainingEvent {
    /// One JSON object per event, as written to `metrics.jsonl` (and later streamed by
    /// workers): `{"type": "step" | "eval" | "checkpoint" | "log", "time": RFC 3339, ...}`.
    public func jsonLine(time: Date = Date()) -> String {
        var object: [String: Any] = ["time": Self.timestamp(time)]
        switch self {
        case let .step(s):
            object["type"] = "step"
            object["epoch"] = s.epoch
            object["epochs"] = s.epochs
            object["step"] = s.globalStep
            object["steps"] = s.totalSteps
            object["loss"] = Self.number(s.loss)
            object["lr"] = Self.number(s.lr)
            object["images_per_s"] = Self.number(s.imagesPerSecond)
            object["elapsed_s"] = Self.number(s.elapsedSeconds)
        case let .evaluation(e):
            object["type"] = "eval"
            object["epoch"] = e.epoch
            object["step"] = e.globalStep
            object["knn_accuracy"] = Self.number(e.knnAccuracy)
            object["linear_accuracy"] = e.linearAccuracy.map(Self.number) ?? NSNull()
            object["alignment"] = Self.number(e.alignment)
            object["uniformity"] = Self.number(e.uniformity)
        case let .checkpoint(epoch, step):
            object["type"] = "checkpoint"
            object["epoch"] = epoch
            object["step"] = step
        case let .log(message):
            object["type"] = "log"
            object["message"] = message
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// JSON has no NaN or infinity: those become null.
    private static func number(_ x: Double) -> Any { x.isFinite ? x : NSNull() }

    static func timestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}
