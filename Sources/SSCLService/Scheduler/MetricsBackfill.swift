import Foundation
import SSCLStore

/// Re-reads a job folder's `metrics.jsonl` (written by the worker itself) into metric points.
/// When the server dies, the steps its worker finished in the last moments never reached the
/// database; the worker still logged them and checkpointed after them, so a resumed run
/// starts with them restored instead of leaving a gap in the curves.
enum MetricsBackfill {
    static func points(fromFileAt url: URL) -> [MetricPoint] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var points: [MetricPoint] = []
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let type = object["type"] as? String, let step = object["step"] as? Int else { continue }
            let time = (object["time"] as? String).flatMap(RFC3339.date(from:)) ?? Date()
            let names: [String]
            switch type {
            case "step": names = ["loss", "lr", "images_per_s"]
            case "eval": names = ["knn_accuracy", "linear_accuracy", "alignment", "uniformity"]
            default: continue
            }
            for name in names {
                if let value = object[name] as? Double {
                    points.append(MetricPoint(name: name, step: step, value: value, time: time))
                }
            }
        }
        return points
    }
}
