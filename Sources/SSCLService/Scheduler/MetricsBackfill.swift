import Foundation
import SSCLEngine
import SSCLStore

/// Re-reads a job folder's `metrics.jsonl` (written by the worker itself) into metric points.
/// When the server dies, the steps its worker finished in the last moments never reached the
/// database; the worker still logged them and checkpointed after them, so a resumed run
/// starts with them restored instead of leaving a gap in the curves. The file holds the
/// worker's protocol lines, read by the same decoder as the pipe (`MetricsLog.read`).
enum MetricsBackfill {
    /// The file's points; lines that are not events (one cut short by a kill) add none.
    static func points(fromFileAt url: URL) -> [MetricPoint] {
        guard let file = try? MetricsLog.read(from: url) else { return [] }
        return file.events.flatMap(\.metricPoints)
    }

    /// The file's evaluations, in order: the rungs an ASHA trial reached before a restart.
    static func evaluations(fromFileAt url: URL) -> [EvaluationReport] {
        guard let file = try? MetricsLog.read(from: url) else { return [] }
        return file.events.compactMap { event in
            if case let .evaluation(report) = event.kind { return report }
            return nil
        }
    }
}
