import Foundation

extension Trainer {
    /// Whether this run measures false-negative diagnostics: `eval.diagnostics_every` > 0 and
    /// the data has labels that tell classes apart (`Dataset.hasLabels`, two classes or more).
    public var measuresDiagnostics: Bool {
        spec.eval.diagnosticsEvery > 0 && dataset.hasLabels && dataset.numClasses >= 2
    }

    /// After a step: when the step is due (every `eval.diagnostics_every` steps), measures the
    /// loss's last batch with the batch's labels and returns the report to emit. `indices`: the
    /// step's train rows, in batch order.
    func measureDiagnostics(indices: [Int]) -> DiagnosticsReport? {
        let every = spec.eval.diagnosticsEvery
        guard every > 0, globalStep % every == 0, measuresDiagnostics else { return nil }
        let labels = indices.map { dataset.train.labels[$0] }
        let (rates, histogram) = loss.falseNegativeDiagnostics(labels: labels, step: globalStep, epoch: epoch + 1)
        diagnosticsTotals.add(rates, histogram: histogram)
        let reported = SimilarityHistogram.reports(measurement: globalStep / every)
        return DiagnosticsReport(epoch: epoch + 1, globalStep: globalStep, rates: rates,
                                 histogram: reported ? histogram : nil)
    }

    /// A resumed run's earlier measurements (from its `metrics.jsonl`, up to the checkpoint's
    /// step), so the result's means cover the whole run and not only this attempt.
    public func restoreDiagnostics(from events: [TrainingEvent]) {
        var byStep: [Int: DiagnosticsReport] = [:]
        for case let .diagnostics(report) in events.map(\.kind) where report.globalStep <= globalStep {
            byStep[report.globalStep] = report  // a step measured twice (an earlier resume) counts once
        }
        diagnosticsTotals = DiagnosticsTotals()
        for step in byStep.keys.sorted() {
            diagnosticsTotals.add(byStep[step]!.rates, histogram: byStep[step]!.histogram)
        }
    }
}
