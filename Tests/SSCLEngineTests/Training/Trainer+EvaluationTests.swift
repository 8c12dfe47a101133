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
        #expect(result.sampleIsWholeSplits && result.sampleKnnAccuracy == result.knnAccuracy,
                "splits within the evaluation sample's limits are the sample")
        #expect(result.perClassKnnAccuracy.count == dataset.numClasses)
        for c in matrix.indices where matrix[c].reduce(0, +) > 0 {
            #expect(result.perClassKnnAccuracy[c] == Double(matrix[c][c]) / Double(matrix[c].reduce(0, +)))
        }
        let decoded = try JSONDecoder().decode(TrainingResult.self, from: Data(result.json().utf8))
        #expect(decoded.confusionMatrix == matrix)
        #expect(result.json().contains("\"per_class_knn_accuracy\":["))
        #expect(result.json().contains("\"confusion_matrix\":[["))
    }

    /// A split larger than the evaluation sample: the baselines are kNN on the sample's rows
    /// (the same rows for every job), the result's sample kNN is the trained encoder on those
    /// rows, and the gains compare the two, while `knn_accuracy` stays whole-split.
    @Test func baselinesAndGainsUseTheEvaluationSampleOfALargeSplit() throws {
        var rng = SeededGenerator(seed: 5)
        let dimension = 6, trainCount = Trainer.sampleTrainRows + 300, testCount = Trainer.sampleTestRows + 100
        func split(_ count: Int) -> DataSplit {
            let labels = (0..<count).map { $0 % 3 }
            // Class c sits near the unit vector e_c, with noise: raw kNN is well above chance.
            let features = labels.flatMap { c in (0..<dimension).map { j in (j == c ? 1 : 0) + 0.8 * rng.uniform() - 0.4 } }
            return DataSplit(features: features, labels: labels, rowSize: dimension)
        }
        let dataset = Dataset(name: "large", train: split(trainCount), test: split(testCount), imageShape: nil,
                              classNames: ["a", "b", "c"], hasOfficialTestSplit: true)
        var spec = JobSpec(dataset: DatasetSpec(source: .builtin("fashion-mnist-mini")))
        spec.model.hidden = [16]
        spec.model.projection = [16, 8]
        spec.loss = .defaults(for: .ntxent)
        spec.batchSize = 256
        spec.epochs = 1
        spec.eval.knnK = 20
        spec.eval.linearProbe = false
        spec.threads = 1
        let trainer = try Self.trainer(spec, dataset: dataset, cache: nil)
        guard case let .completed(result) = try trainer.run(checkpointURL: nil) else {
            Issue.record("the run did not complete")
            return
        }
        let trainRows = trainer.sampleTrainRowIndices, testRows = trainer.sampleTestRowIndices
        #expect(trainRows.count == Trainer.sampleTrainRows && testRows.count == Trainer.sampleTestRows)
        #expect(Set(trainRows).count == trainRows.count && trainRows.allSatisfy { $0 < trainCount })
        let trainSample = dataset.train.subset(trainRows), testSample = dataset.test.subset(testRows)
        let raw = KNNClassifier.accuracy(train: trainSample.features, trainLabels: trainSample.labels,
                                         test: testSample.features, testLabels: testSample.labels,
                                         dimension: dimension, numClasses: 3, k: 20, temperature: spec.eval.knnTemperature)
        #expect(result.rawKnnAccuracy == raw)
        #expect(raw > 0.6, "the clusters are far apart")
        let model = trainer.model
        let learned = KNNClassifier.accuracy(
            train: model.representations(of: trainSample.features, count: trainSample.count), trainLabels: trainSample.labels,
            test: model.representations(of: testSample.features, count: testSample.count), testLabels: testSample.labels,
            dimension: model.representationSize, numClasses: 3, k: 20, temperature: spec.eval.knnTemperature)
        #expect(result.sampleKnnAccuracy == learned)
        #expect(result.gainOverRaw == learned - raw)
        #expect(result.sampleTrainCount == Trainer.sampleTrainRows && result.sampleTestCount == Trainer.sampleTestRows)
        #expect(!result.sampleIsWholeSplits && result.accuracySummary.contains("evaluation sample"))
        let whole = KNNClassifier.accuracy(
            train: model.representations(of: dataset.train.features, count: trainCount), trainLabels: dataset.train.labels,
            test: model.representations(of: dataset.test.features, count: testCount), testLabels: dataset.test.labels,
            dimension: model.representationSize, numClasses: 3, k: 20, temperature: spec.eval.knnTemperature)
        #expect(result.knnAccuracy == whole)
        let decoded = try JSONDecoder().decode(TrainingResult.self, from: Data(result.json().utf8))
        #expect(decoded == result)
    }
}
