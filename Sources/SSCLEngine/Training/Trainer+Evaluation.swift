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
        let scores = probe ? finalScores() : curveKNN()
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

    /// The final figures: whole-split kNN (with its per-class report, kept for the result) and
    /// the linear probe when the job asks for it.
    private func finalScores() -> (knn: Double, linear: Double?) {
        var clock = PhaseClock()
        let train = model.representations(of: dataset.train.features, count: dataset.train.count)
        let test = model.representations(of: dataset.test.features, count: dataset.test.count)
        clock.lap("representations")
        let dim = model.representationSize
        let predicted = KNNClassifier.predictions(
            train: train, trainLabels: dataset.train.labels, test: test, dimension: dim,
            numClasses: dataset.numClasses, k: spec.eval.knnK, temperature: spec.eval.knnTemperature)
        let report = ClassificationReport(predictions: predicted, labels: dataset.test.labels, numClasses: dataset.numClasses)
        finalKNNReport = report
        clock.lap("kNN")
        var linear: Double?
        if spec.eval.linearProbe {
            linear = LinearProbe.accuracy(
                train: train, trainLabels: dataset.train.labels, test: test, testLabels: dataset.test.labels,
                dimension: dim, numClasses: dataset.numClasses, seed: spec.seed)
            clock.lap("linear probe")
        }
        evaluationNotes.append("final evaluation: " + clock.summary)
        return (report.accuracy, linear)
    }

    /// The random-initialised encoder (this job's init, before any step) and the raw inputs,
    /// whole splits. Both are looked up in `evaluationCache` first (keyed by a hash of exactly
    /// the inputs and protocol, see `EvaluationCache`): the raw-input kNN depends only on the
    /// data, and the random encoder's scores only on the data and the encoder, so a dataset's
    /// second job skips them.
    func measureBaseline() -> Baseline {
        let started = Date()
        defer { evalSeconds += Date().timeIntervalSince(started) }
        var clock = PhaseClock()
        let k = spec.eval.knnK, t = spec.eval.knnTemperature, classes = dataset.numClasses
        let rawKey = knnKey(train: dataset.train.features, test: dataset.test.features, dimension: dataset.train.rowSize)
        let raw = cached(rawKey, what: "raw-input kNN of \(dataset.name)") {
            KNNClassifier.accuracy(
                train: dataset.train.features, trainLabels: dataset.train.labels,
                test: dataset.test.features, testLabels: dataset.test.labels,
                dimension: dataset.train.rowSize, numClasses: classes, k: k, temperature: t)
        }
        clock.lap("raw-input kNN" + (raw.hit ? " (cached)" : ""))

        // The random encoder's representations are a function of its parameters and of the
        // forward code: the key hashes the parameters and buffers, the model's description and
        // the representations of the first (up to) 256 train rows (which change if the forward
        // code does), on top of the data's key. Computing all 70,000 representations only to
        // hash them would cost more than the lookup saves.
        var encoderHash = ContentHash()
        encoderHash.combine("random encoder v1 \(spec.model) on \(rawKey)")
        for p in model.parameters + model.buffers {
            encoderHash.combine(p.name)
            encoderHash.combine(p.value)
        }
        let sampleRows = min(256, dataset.train.count)
        encoderHash.combine(model.representations(
            of: Array(dataset.train.features[0..<(sampleRows * dataset.train.rowSize)]), count: sampleRows))
        let encoderKey = encoderHash.hex
        let dim = model.representationSize
        var computed: (train: [Float], test: [Float])?
        func representations() -> (train: [Float], test: [Float]) {
            if let computed { return computed }
            let reps = (model.representations(of: dataset.train.features, count: dataset.train.count),
                        model.representations(of: dataset.test.features, count: dataset.test.count))
            computed = reps
            return reps
        }
        var knnHash = ContentHash()
        knnHash.combine("kNN v1 k \(k) t \(t) on \(encoderKey)")
        let knn = cached(knnHash.hex, what: "random-encoder kNN of \(dataset.name)") {
            let (train, test) = representations()
            return KNNClassifier.accuracy(
                train: train, trainLabels: dataset.train.labels, test: test, testLabels: dataset.test.labels,
                dimension: dim, numClasses: classes, k: k, temperature: t)
        }
        clock.lap("random-encoder kNN" + (knn.hit ? " (cached)" : ""))
        var linear: Double?
        if spec.eval.linearProbe {
            var probeHash = ContentHash()
            probeHash.combine("\(LinearProbe.recipe) seed \(spec.seed) on \(encoderKey)")
            let probe = cached(probeHash.hex, what: "random-encoder linear probe of \(dataset.name)") {
                let (train, test) = representations()
                return LinearProbe.accuracy(
                    train: train, trainLabels: dataset.train.labels, test: test, testLabels: dataset.test.labels,
                    dimension: dim, numClasses: classes, seed: spec.seed)
            }
            linear = probe.value
            clock.lap("random-encoder linear probe" + (probe.hit ? " (cached)" : ""))
        }
        evaluationNotes.append("baselines: " + clock.summary)
        return Baseline(knn: knn.value, linear: linear, rawKnn: raw.value)
    }

    /// The cache key of a whole-split kNN of these features with this job's labels and protocol.
    private func knnKey(train: [Float], test: [Float], dimension: Int) -> String {
        var hash = ContentHash()
        hash.combine("kNN v1 (Wu et al. 2018, weighted votes)")
        hash.combine(spec.eval.knnK)
        hash.combine(spec.eval.knnTemperature)
        hash.combine(dataset.numClasses)
        hash.combine(dimension)
        hash.combine(train)
        hash.combine(dataset.train.labels)
        hash.combine(test)
        hash.combine(dataset.test.labels)
        return hash.hex
    }

    private func cached(_ key: String, what: String, compute: () -> Double) -> (value: Double, hit: Bool) {
        guard let cache = evaluationCache else { return (compute(), false) }
        return cache.value(for: key, what: what, compute: compute)
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
