import Foundation
import Logging
import Testing
@testable import SSCLEngine

@Suite struct TrainerEvaluationTests {
    static func trainer(_ spec: JobSpec, dataset: Dataset, cache: EvaluationCache?) throws -> Trainer {
        let trainer = try Trainer(spec: spec, dataset: dataset, logger: Logger(label: "test"))
        trainer.evaluationCache = cache
        return trainer
    }

    /// The baselines are computed once per content: a second job with the same data, model and
    /// seed reads them back (the same numbers); one changed input value, or another seed for
    /// the random encoder, computes them again.
    @Test func baselinesAreCachedByContentAndRecomputedWhenTheDataChanges() throws {
        var spec = TrainerTests.tinySpec()
        spec.eval.linearProbe = true
        let dataset = try DatasetLoader.load(spec.dataset, seed: spec.seed)
        let cache = EvaluationCache(directory: try TrainerTests.temporaryDirectory())
        defer { try? FileManager.default.removeItem(at: cache.directory) }

        let first = try Self.trainer(spec, dataset: dataset, cache: cache)
        let cold = first.measureBaseline()
        #expect(!first.evaluationNotes.joined().contains("(cached)"))
        let uncached = try Self.trainer(spec, dataset: dataset, cache: nil).measureBaseline()
        #expect(cold == uncached, "the cache does not change what is measured")

        let second = try Self.trainer(spec, dataset: dataset, cache: cache)
        let warm = second.measureBaseline()
        let notes = second.evaluationNotes.joined()
        #expect(warm == cold)
        #expect(notes.contains("raw-input kNN (cached)"))
        #expect(notes.contains("random-encoder kNN (cached)"))
        #expect(notes.contains("random-encoder linear probe (cached)"))

        var changed = dataset
        changed.test.features[0] += 0.5
        let third = try Self.trainer(spec, dataset: changed, cache: cache)
        _ = third.measureBaseline()
        #expect(!third.evaluationNotes.joined().contains("raw-input kNN (cached)"))
        #expect(!third.evaluationNotes.joined().contains("random-encoder kNN (cached)"))

        var reseeded = spec
        reseeded.seed = 99
        let fourth = try Self.trainer(reseeded, dataset: dataset, cache: cache)
        _ = fourth.measureBaseline()
        let fourthNotes = fourth.evaluationNotes.joined()
        #expect(fourthNotes.contains("raw-input kNN (cached)"), "the raw inputs did not change")
        #expect(!fourthNotes.contains("random-encoder kNN (cached)"), "another seed, another random encoder")
    }

    /// The result's per-class kNN figures come from the same predictions as its accuracy.
    @Test func theResultHasPerClassKNNAccuracyAndTheConfusionMatrix() throws {
        let spec = TrainerTests.tinySpec(epochs: 1)
        let dataset = try DatasetLoader.load(spec.dataset, seed: spec.seed)
        let trainer = try Self.trainer(spec, dataset: dataset, cache: nil)
        guard case let .completed(result) = try trainer.run(checkpointURL: nil) else {
            Issue.record("the run did not complete")
            return
        }
        let matrix = result.confusionMatrix
        #expect(matrix.count == dataset.numClasses && matrix.allSatisfy { $0.count == dataset.numClasses })
        #expect(matrix.indices.map { matrix[$0].reduce(0, +) } == dataset.test.classCounts(numClasses: dataset.numClasses))
        let correct = matrix.indices.reduce(0) { $0 + matrix[$1][$1] }
        #expect(Double(correct) / Double(dataset.test.count) == result.knnAccuracy)
        #expect(result.perClassKnnAccuracy.count == dataset.numClasses)
        for c in matrix.indices where matrix[c].reduce(0, +) > 0 {
            #expect(result.perClassKnnAccuracy[c] == Double(matrix[c][c]) / Double(matrix[c].reduce(0, +)))
        }
        let decoded = try JSONDecoder().decode(TrainingResult.self, from: Data(result.json().utf8))
        #expect(decoded.confusionMatrix == matrix)
        #expect(result.json().contains("\"per_class_knn_accuracy\":["))
        #expect(result.json().contains("\"confusion_matrix\":[["))
    }
}
