import Foundation

extension Trainer {
    /// Scores the frozen encoder f on the test split: weighted kNN and (optionally) a linear
    /// probe on f(x); alignment and uniformity of the L2-normalised head outputs g(f(x)) of
    /// two augmented views of up to 1024 test inputs (fixed seed, so epochs are comparable).
    /// `probe` (the final evaluation): the whole splits and the linear probe (when the job
    /// asks for it). Otherwise a curve point: kNN of a fixed sample of at most
    /// `curveTestRows` test rows against at most `curveTrainRows` train rows (the same rows
    /// at every epoch), so that evaluating ten times stays a small share of a job (on
    /// Fashion-MNIST a whole-split kNN is 0.6 TFLOP); the result reports the final whole-split
    /// figures only.
    func evaluate(probe: Bool) -> EvaluationReport {
        let started = Date()
        defer { evalSeconds += Date().timeIntervalSince(started) }
        let scores = probe ? scoreRepresentations(model, probe: true) : curveKNN()
        let (first, second, count) = evaluationViews()
        let dim = model.embeddingSize
        var z1 = model.embeddings(of: first, count: count)
        var z2 = model.embeddings(of: second, count: count)
        normalizeRows(&z1, dimension: dim)
        normalizeRows(&z2, dimension: dim)
        let alignment = EmbeddingGeometry.alignment(first: z1, second: z2, count: count, dimension: dim)
        let uniformity = EmbeddingGeometry.uniformity(z1 + z2, count: 2 * count, dimension: dim)
        return EvaluationReport(epoch: epoch, globalStep: globalStep, knnAccuracy: scores.knn,
                                linearAccuracy: scores.linear, alignment: alignment, uniformity: uniformity)
    }

    static let curveTestRows = 1000
    static let curveTrainRows = 10_000

    /// kNN accuracy on the fixed curve sample (see `evaluate(probe:)`).
    private func curveKNN() -> (knn: Double, linear: Double?) {
        let test = dataset.test.randomSubset(limit: Self.curveTestRows, seed: 0xC0FFEE)
        let train = dataset.train.randomSubset(limit: Self.curveTrainRows, seed: 0xC0FFEE)
        let dim = model.representationSize
        let knn = KNNClassifier.accuracy(
            train: model.representations(of: train.features, count: train.count), trainLabels: train.labels,
            test: model.representations(of: test.features, count: test.count), testLabels: test.labels,
            dimension: dim, numClasses: dataset.numClasses, k: spec.eval.knnK, temperature: spec.eval.knnTemperature)
        return (knn, nil)
    }

    /// The random-initialised encoder (this job's init, before any step) and the raw inputs.
    func measureBaseline() -> Baseline {
        let started = Date()
        defer { evalSeconds += Date().timeIntervalSince(started) }
        let untrained = scoreRepresentations(model, probe: true)
        let raw = KNNClassifier.accuracy(
            train: dataset.train.features, trainLabels: dataset.train.labels,
            test: dataset.test.features, testLabels: dataset.test.labels,
            dimension: dataset.train.rowSize, numClasses: dataset.numClasses,
            k: spec.eval.knnK, temperature: spec.eval.knnTemperature)
        return Baseline(knn: untrained.knn, linear: untrained.linear, rawKnn: raw)
    }

    private func scoreRepresentations(_ model: ContrastiveModel, probe: Bool) -> (knn: Double, linear: Double?) {
        let train = model.representations(of: dataset.train.features, count: dataset.train.count)
        let test = model.representations(of: dataset.test.features, count: dataset.test.count)
        let dim = model.representationSize
        let knn = KNNClassifier.accuracy(
            train: train, trainLabels: dataset.train.labels, test: test, testLabels: dataset.test.labels,
            dimension: dim, numClasses: dataset.numClasses, k: spec.eval.knnK, temperature: spec.eval.knnTemperature)
        var linear: Double?
        if spec.eval.linearProbe && probe {
            linear = LinearProbe.accuracy(
                train: train, trainLabels: dataset.train.labels, test: test, testLabels: dataset.test.labels,
                dimension: dim, numClasses: dataset.numClasses, seed: spec.seed)
        }
        return (knn, linear)
    }

    /// Two augmented views of the first (up to) 1024 test inputs, from a fixed seed.
    private func evaluationViews() -> (first: [Float], second: [Float], count: Int) {
        let count = min(1024, dataset.test.count)
        var rng = SeededGenerator(seed: 0x5EED)
        let views = augmenter.makeViews(indices: Array(0..<count), from: dataset.test, rng: &rng) // [2n, input...]
        let half = count * dataset.test.rowSize
        return (Array(views.data[0..<half]), Array(views.data[half...]), count)
    }

    private func normalizeRows(_ z: inout [Float], dimension: Int) {
        let rows = z.count / dimension
        for r in 0..<rows {
            var norm: Float = 0
            for j in 0..<dimension { norm += z[r * dimension + j] * z[r * dimension + j] }
            let inv = 1 / max(norm.squareRoot(), 1e-12)
            for j in 0..<dimension { z[r * dimension + j] *= inv }
        }
    }
}
