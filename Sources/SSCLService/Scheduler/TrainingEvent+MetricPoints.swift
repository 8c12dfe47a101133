import SSCLEngine
import SSCLStore

extension TrainingEvent {
    /// The event's curve points as the store keeps them, stamped with the event's own time:
    /// the live path (`JobScheduler.handle`) and the backfill from `metrics.jsonl` both use
    /// this, so both store the same points for the same line.
    var metricPoints: [MetricPoint] {
        metricValues.map { MetricPoint(name: $0.name.rawValue, step: $0.step, value: $0.value, time: time) }
    }
}
