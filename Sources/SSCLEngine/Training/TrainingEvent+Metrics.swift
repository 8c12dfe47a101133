extension TrainingEvent {
    /// One value of a curve.
    public struct MetricValue: Sendable, Equatable {
        public var name: MetricName
        public var step: Int
        public var value: Double
    }

    /// The curve points this event carries, at its global step: a step's loss, learning rate
    /// and throughput; an evaluation's scores (`linear_accuracy` only when the probe ran); the
    /// false-negative rates of a diagnostics measurement (those the loss has).
    /// What the service stores live and what it restores from `metrics.jsonl` both come from here.
    public var metricValues: [MetricValue] {
        switch kind {
        case let .step(s):
            return [MetricValue(name: .loss, step: s.globalStep, value: s.loss),
                    MetricValue(name: .lr, step: s.globalStep, value: s.lr),
                    MetricValue(name: .imagesPerSecond, step: s.globalStep, value: s.imagesPerSecond)]
        case let .evaluation(e):
            var values = [MetricValue(name: .knnAccuracy, step: e.globalStep, value: e.knnAccuracy)]
            if let linear = e.linearAccuracy {
                values.append(MetricValue(name: .linearAccuracy, step: e.globalStep, value: linear))
            }
            values.append(MetricValue(name: .alignment, step: e.globalStep, value: e.alignment))
            values.append(MetricValue(name: .uniformity, step: e.globalStep, value: e.uniformity))
            return values
        case let .diagnostics(d):
            return d.rates.values.map { MetricValue(name: $0.name, step: d.globalStep, value: $0.value) }
        case .started, .checkpoint, .log, .result, .stopped, .error:
            return []
        }
    }
}
