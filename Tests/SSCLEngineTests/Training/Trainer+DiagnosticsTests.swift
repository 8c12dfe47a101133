import Foundation
import Logging
import Testing
@testable import SSCLEngine

/// The false-negative diagnostics in a real run on fashion-mnist-mini (5 steps of 32 per epoch).
@Suite struct TrainerDiagnosticsTests {
    static func run(_ trainer: Trainer) throws -> (reports: [DiagnosticsReport], losses: [Double], result: TrainingResult?) {
        var reports: [DiagnosticsReport] = [], losses: [Double] = []
        let outcome = try trainer.run(checkpointURL: nil) { event in
            if case let .diagnostics(report) = event.kind { reports.append(report) }
            if case let .step(step) = event.kind { losses.append(step.loss) }
        }
        guard case let .completed(result) = outcome else { return (reports, losses, nil) }
        return (reports, losses, result)
    }

    @Test func measuresEveryNStepsAndSummarisesInTheResult() throws {
        var spec = TrainerTests.tinySpec(epochs: 2)
        spec.eval.diagnosticsEvery = 3
        let (reports, _, result) = try Self.run(TrainerTests.trainer(spec))
        #expect(reports.map(\.globalStep) == [3, 6, 9])
        #expect(reports.map(\.epoch) == [1, 2, 2])
        for report in reports {
            let rates = report.rates
            // Ten balanced classes: about 1/10 of all negatives share the anchor's class.
            #expect(rates.all > 0.02 && rates.all < 0.25, "\(rates.all)")
            for value in [rates.hard, rates.syntheticOne, rates.syntheticBoth, rates.weightShare] {
                let v = try #require(value, "SSCL has every rate")
                #expect(v >= 0 && v <= 1)
            }
            #expect(try #require(rates.syntheticBoth) <= rates.syntheticOne!)
            let histogram = try #require(report.histogram, "the first 127 measurements report their histogram")
            #expect(histogram.step == report.globalStep)
            // 2B = 64 anchors; s = 8 hard and k = 4 synthetic negatives each (tinySpec).
            #expect(histogram.positives.reduce(0, +) == 64 && histogram.negatives.reduce(0, +) == 64 * 62)
            #expect(histogram.hard?.reduce(0, +) == 64 * 8 && histogram.synthetic?.reduce(0, +) == 64 * 4)
        }
        let summary = try #require(result?.diagnostics)
        #expect(summary.measurements == 3)
        #expect(abs(summary.rates.all - reports.map(\.rates.all).reduce(0, +) / 3) < 1e-12)
        #expect(abs(summary.rates.hard! - reports.map { $0.rates.hard! }.reduce(0, +) / 3) < 1e-12)
        #expect(summary.histogram == reports.last?.histogram)
    }

    /// The labels measure and never train: the same losses with the diagnostics on and off.
    @Test func labelsNeverTrain() throws {
        var on = TrainerTests.tinySpec(epochs: 1)
        on.eval.diagnosticsEvery = 1
        var off = on
        off.eval.diagnosticsEvery = 0
        let measured = try Self.run(TrainerTests.trainer(on))
        let plain = try Self.run(TrainerTests.trainer(off))
        #expect(measured.reports.count == 5 && plain.reports.isEmpty)
        #expect(measured.losses == plain.losses)
        #expect(plain.result?.diagnostics == nil)
    }

    /// A dataset without labels (`hasLabels` false: what a loader of unlabelled data sets) turns
    /// them off, whatever `diagnostics_every` says; so does a single class.
    @Test func offWithoutLabels() throws {
        var spec = TrainerTests.tinySpec(loss: .ntxent, epochs: 1)
        spec.eval.diagnosticsEvery = 1
        var dataset = try DatasetLoader.load(spec.dataset, seed: spec.seed)
        let labelled = try Trainer(spec: spec, dataset: dataset, logger: Logger(label: "test"))
        #expect(labelled.measuresDiagnostics)
        let ntxent = try Self.run(labelled)
        #expect(ntxent.reports.count == 5 && ntxent.reports.allSatisfy { $0.rates.hard == nil && $0.histogram?.hard == nil })
        dataset.hasLabels = false
        let unlabelled = try Trainer(spec: spec, dataset: dataset, logger: Logger(label: "test"))
        #expect(!unlabelled.measuresDiagnostics)
        let (reports, _, result) = try Self.run(unlabelled)
        #expect(reports.isEmpty)
        let finished = try #require(result)
        #expect(finished.diagnostics == nil)
        #expect(!finished.json().contains("diagnostics"), "absent from result.json, not null")
    }

    /// `result.json` carries the summary and reads it back; absent rates stay absent.
    @Test func resultRoundTripsItsDiagnostics() throws {
        var result = TrainingEventTests.result
        let histogram = SimilarityHistogram(step: 9, epoch: 2, positives: Array(repeating: 1, count: 40),
                                            negatives: Array(repeating: 2, count: 40), hard: nil, synthetic: nil)
        result.diagnostics = DiagnosticsSummary(rates: FalseNegativeRates(all: 0.1, weightShare: 0.3),
                                                measurements: 3, histogram: histogram)
        let json = result.json()
        #expect(json.contains(#""diagnostics":{"fn_rate_all":0.1,"fn_weight_share":0.3,"histogram":{"#))
        #expect(!json.contains("fn_rate_hard") && !json.contains(#""hard""#))
        #expect(try JSONDecoder().decode(TrainingResult.self, from: Data(json.utf8)) == result)
    }

    @Test func jobDocumentValidatesDiagnosticsEvery() throws {
        let spec = try JobSpec.parse(json: Data(#"{"dataset": {"name": "fashion-mnist-mini"}, "eval": {"diagnostics_every": 0}}"#.utf8))
        #expect(spec.eval.diagnosticsEvery == 0)
        #expect(EvalSpec().diagnosticsEvery == EvalSpec.defaultDiagnosticsEvery)
        for bad in ["-1", "2.5", "\"10\""] {
            let error = #expect(throws: JobSpecValidationError.self) {
                try JobSpec.parse(json: Data(#"{"dataset": {"name": "fashion-mnist-mini"}, "eval": {"diagnostics_every": \#(bad)}}"#.utf8))
            }
            #expect(error?.issues.map(\.path) == ["eval.diagnostics_every"], "the error names the field")
        }
    }
}
