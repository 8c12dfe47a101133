import Foundation

extension Trainer {
    /// Scores the frozen encoder f on the test split: weighted kNN and (optionally) a linear
    /// probe on f(x); alignment and uniformity of the L2-normalised head outputs g(f(x)) of
    /// two augmented views of up to 1024 test inputs (fixed seed, so epochs are comparable).
    /// `probe` (the final evaluation): kNN on the whole splits, the linear probe (when the job
    /// asks for it), and kNN on the evaluation sample for the gains. Otherwise a curve point:
    /// kNN on the evaluation sample, so that evaluating ten times stays a small share of a job
    /// (on Fashion-MNIST a whole-split kNN is 0.6 TFLOP, a sample one 0.02).
    func evaluate(probe: Bool) -> EvaluationReport {
        let started = Date()
        defer { evalSeconds += Date().timeIntervalSince(started) }
        if !probe {
            let point = Self.curvePoint(model: model, dataset: dataset, augmenter: augmenter, spec: spec,
                                        epoch: epoch, globalStep: globalStep)
            evaluationNotes.append(point.note)
            return point.report
        }
        var clock = PhaseClock()
        let scores = finalScores()
        clock.lap("final scores")
        let (alignment, uniformity) = Self.geometry(model: model, dataset: dataset, augmenter: augmenter, threads: spec.threads)
        clock.lap("alignment and uniformity")
        evaluationNotes.append("evaluation after epoch \(epoch): " + clock.summary)
        return EvaluationReport(epoch: epoch, globalStep: globalStep, knnAccuracy: scores.knn,
                                linearAccuracy: scores.linear, alignment: alignment, uniformity: uniformity)
    }

    /// A curve point of `model`: kNN on the evaluation sample, alignment and uniformity, and a
    /// log line of where its time went. Static, so that a one-thread job can compute it from a
    /// snapshot of the model on a thread of its own (`Trainer+BackgroundEvaluation`).
    static func curvePoint(model: ContrastiveModel, dataset: Dataset, augmenter: ViewAugmenter, spec: JobSpec,
                           epoch: Int, globalStep: Int) -> CurvePoint {
        var clock = PhaseClock()
        let knn = sampleKNN(model: model, dataset: dataset, spec: spec)
        clock.lap("sample kNN")
        let (alignment, uniformity) = geometry(model: model, dataset: dataset, augmenter: augmenter, threads: spec.threads)
        clock.lap("alignment and uniformity")
        return CurvePoint(report: EvaluationReport(epoch: epoch, globalStep: globalStep, knnAccuracy: knn, linearAccuracy: nil,
                                                   alignment: alignment, uniformity: uniformity),
                          note: "evaluation after epoch \(epoch): " + clock.summary)
    }

    /// Alignment and uniformity of the L2-normalised head outputs of two augmented views of
    /// the first (up to) 1024 test inputs.
    static func geometry(model: ContrastiveModel, dataset: Dataset, augmenter: ViewAugmenter,
                         threads: Int) -> (alignment: Double, uniformity: Double) {
        let (first, second, count) = evaluationViews(dataset: dataset, augmenter: augmenter, threads: threads)
        let dim = model.embeddingSize
        var z1 = model.embeddings(of: first, count: count)
        var z2 = model.embeddings(of: second, count: count)
        normalizeRows(&z1, dimension: dim)
        normalizeRows(&z2, dimension: dim)
        return (EmbeddingGeometry.alignment(first: z1, second: z2, count: count, dimension: dim),
                EmbeddingGeometry.uniformity(z1 + z2, count: 2 * count, dimension: dim))
    }

    /// The evaluation sample: at most this many test and train rows, drawn with a fixed seed,
    /// so every evaluation of every job on a dataset uses the same rows. The curve points, the
    /// baselines (raw inputs, random encoder) and the gains over them are all measured on it,
    /// so they compare like with like at a cost that does not grow with the data: whole-split
    /// baselines are O(train x test) and cost a first job on Fashion-MNIST 13 s of 73. A split
    /// within the limits is used whole. 2000 test rows put the standard error of a paired
    /// accuracy difference near 0.007 where 10% of predictions differ.
    static let sampleTestRows = 2000
    static let sampleTrainRows = 10_000
    static let sampleSeed: UInt64 = 0xC0FFEE

    var sampleTrainRowIndices: [Int] { Self.sampleTrainRowIndices(dataset) }
    var sampleTestRowIndices: [Int] { Self.sampleTestRowIndices(dataset) }
    static func sampleTrainRowIndices(_ dataset: Dataset) -> [Int] {
        dataset.train.randomSubsetRows(limit: sampleTrainRows, seed: sampleSeed)
    }
    static func sampleTestRowIndices(_ dataset: Dataset) -> [Int] {
        dataset.test.randomSubsetRows(limit: sampleTestRows, seed: sampleSeed)
    }

    /// kNN accuracy of the current encoder on the evaluation sample.
    func sampleKNN() -> Double {
        Self.sampleKNN(model: model, dataset: dataset, spec: spec)
    }

    /// kNN accuracy of `model` on the evaluation sample, computing the sample's representations.
    static func sampleKNN(model: ContrastiveModel, dataset: Dataset, spec: JobSpec) -> Double {
        let trainSplit = dataset.train.subset(sampleTrainRowIndices(dataset))
        let testSplit = dataset.test.subset(sampleTestRowIndices(dataset))
        return sampleKNN(train: model.representations(of: trainSplit.features, count: trainSplit.count),
                         test: model.representations(of: testSplit.features, count: testSplit.count),
                         dimension: model.representationSize, dataset: dataset, spec: spec)
    }

    /// The sample kNN from the whole splits' representations.
    static func sampleKNN(representations: (train: [Float], test: [Float]), dimension dim: Int,
                          dataset: Dataset, spec: JobSpec) -> Double {
        sampleKNN(train: gather(representations.train, rows: sampleTrainRowIndices(dataset), dimension: dim),
                  test: gather(representations.test, rows: sampleTestRowIndices(dataset), dimension: dim),
                  dimension: dim, dataset: dataset, spec: spec)
    }

    /// kNN of the sample's representations, `train` [sample train rows, dim], `test` likewise.
    private static func sampleKNN(train: [Float], test: [Float], dimension dim: Int, dataset: Dataset, spec: JobSpec) -> Double {
        let trainRows = sampleTrainRowIndices(dataset), testRows = sampleTestRowIndices(dataset)
        return KNNClassifier.accuracy(
            train: train, trainLabels: trainRows.map { dataset.train.labels[$0] },
            test: test, testLabels: testRows.map { dataset.test.labels[$0] },
            dimension: dim, numClasses: dataset.numClasses, k: spec.eval.knnK, temperature: spec.eval.knnTemperature)
    }

    /// Rows `rows` of a [_, dimension] matrix.
    static func gather(_ x: [Float], rows: [Int], dimension: Int) -> [Float] {
        var out = [Float]()
        out.reserveCapacity(rows.count * dimension)
        for r in rows { out.append(contentsOf: x[(r * dimension)..<((r + 1) * dimension)]) }
        return out
    }

    /// The final figures: whole-split kNN (with its per-class report, kept for the result),
    /// the sample kNN (for the gains) and the linear probe when the job asks for it.
    /// The probe's steps are sequential and too small to split (`LinearProbe.fit`), so it runs
    /// on a thread of its own beside the kNN's workers, and the sample kNN after it there: on
    /// Fashion-MNIST at 2 threads, kNN 4.5 s then probe 2.0 s one after the other, 5.3-6.7 s
    /// together (the probe ends first, so the sample kNN's 0.3 s fit in behind it).
    private func finalScores() -> (knn: Double, linear: Double?) {
        var clock = PhaseClock()
        let train = model.representations(of: dataset.train.features, count: dataset.train.count)
        let test = model.representations(of: dataset.test.features, count: dataset.test.count)
        clock.lap("representations")
        let dim = model.representationSize
        let sampleIsWhole = dataset.train.count <= Self.sampleTrainRows && dataset.test.count <= Self.sampleTestRows
        let (dataset, spec) = (dataset, spec)
        let beside = TrainingThread(name: "sscl-final-evaluation") { () -> (linear: Double?, sample: Double?) in
            let linear = spec.eval.linearProbe ? LinearProbe.accuracy(
                train: train, trainLabels: dataset.train.labels, test: test, testLabels: dataset.test.labels,
                dimension: dim, numClasses: dataset.numClasses, seed: spec.seed) : nil
            let sample = sampleIsWhole ? nil : Self.sampleKNN(representations: (train, test), dimension: dim,
                                                              dataset: dataset, spec: spec)
            return (linear, sample)
        }
        let predicted = KNNClassifier.predictions(
            train: train, trainLabels: dataset.train.labels, test: test, dimension: dim,
            numClasses: dataset.numClasses, k: spec.eval.knnK, temperature: spec.eval.knnTemperature)
        let report = ClassificationReport(predictions: predicted, labels: dataset.test.labels, numClasses: dataset.numClasses)
        finalKNNReport = report
        clock.lap("kNN (" + (spec.eval.linearProbe ? "the linear probe, then " : "") + "the sample kNN beside it)")
        // Neither can throw.
        let side = try! beside.join()
        clock.lap("the rest of what ran beside it")
        finalSampleKnn = side.sample ?? report.accuracy   // without a sample figure, the sample is the whole splits
        evaluationNotes.append("final evaluation: " + clock.summary)
        return (report.accuracy, side.linear)
    }

    /// The random-initialised encoder (this job's init, before any step) and the raw inputs,
    /// kNN on the evaluation sample. Both are looked up in `evaluationCache` first (keyed by a
    /// hash of exactly the inputs and protocol, see `EvaluationCache`): the raw-input kNN
    /// depends only on the data, and the random encoder's only on the data and the encoder, so
    /// a dataset's second job skips them.
    func measureBaseline() -> Baseline {
        let started = Date()
        defer { evalSeconds += Date().timeIntervalSince(started) }
        var clock = PhaseClock()
        let k = spec.eval.knnK, t = spec.eval.knnTemperature, classes = dataset.numClasses
        let trainSample = dataset.train.subset(sampleTrainRowIndices)   // [sampleTrain, input...]
        let testSample = dataset.test.subset(sampleTestRowIndices)      // [sampleTest, input...]
        let rawKey = knnKey(train: trainSample, test: testSample, dimension: dataset.train.rowSize)
        let raw = cached(rawKey, what: "raw-input kNN of \(dataset.name)") {
            KNNClassifier.accuracy(
                train: trainSample.features, trainLabels: trainSample.labels,
                test: testSample.features, testLabels: testSample.labels,
                dimension: dataset.train.rowSize, numClasses: classes, k: k, temperature: t)
        }
        clock.lap("raw-input kNN" + (raw.hit ? " (cached)" : ""))

        // The random encoder's representations are a function of its parameters and of the
        // forward code: the key hashes the parameters and buffers, the model's description and
        // the representations of the first (up to) 256 sample train rows (which change if the
        // forward code does), on top of the data's key.
        var encoderHash = ContentHash()
        encoderHash.combine("random encoder v1 \(spec.model) on \(rawKey)")
        for p in model.parameters + model.buffers {
            encoderHash.combine(p.name)
            encoderHash.combine(p.value)
        }
        let sampleRows = min(256, trainSample.count)
        encoderHash.combine(model.representations(
            of: Array(trainSample.features[0..<(sampleRows * trainSample.rowSize)]), count: sampleRows))
        var knnHash = ContentHash()
        knnHash.combine("kNN v1 k \(k) t \(t) on \(encoderHash.hex)")
        let knn = cached(knnHash.hex, what: "random-encoder kNN of \(dataset.name)") {
            KNNClassifier.accuracy(
                train: model.representations(of: trainSample.features, count: trainSample.count), trainLabels: trainSample.labels,
                test: model.representations(of: testSample.features, count: testSample.count), testLabels: testSample.labels,
                dimension: model.representationSize, numClasses: classes, k: k, temperature: t)
        }
        clock.lap("random-encoder kNN" + (knn.hit ? " (cached)" : ""))
        evaluationNotes.append("baselines on the evaluation sample (\(trainSample.count) train, \(testSample.count) test rows): "
                               + clock.summary)
        return Baseline(knn: knn.value, rawKnn: raw.value)
    }

    /// The cache key of a kNN of these rows' features with their labels and this job's protocol.
    private func knnKey(train: DataSplit, test: DataSplit, dimension: Int) -> String {
        var hash = ContentHash()
        hash.combine("kNN v1 (Wu et al. 2018, weighted votes)")
        hash.combine(spec.eval.knnK)
        hash.combine(spec.eval.knnTemperature)
        hash.combine(dataset.numClasses)
        hash.combine(dimension)
        hash.combine(train.features)
        hash.combine(train.labels)
        hash.combine(test.features)
        hash.combine(test.labels)
        return hash.hex
    }

    private func cached(_ key: String, what: String, compute: () -> Double) -> (value: Double, hit: Bool) {
        guard let cache = evaluationCache else { return (compute(), false) }
        return cache.value(for: key, what: what, compute: compute)
    }

    /// Two augmented views of the first (up to) 1024 test inputs, from a fixed seed.
    private static func evaluationViews(dataset: Dataset, augmenter: ViewAugmenter,
                                        threads: Int) -> (first: [Float], second: [Float], count: Int) {
        let count = min(1024, dataset.test.count)
        var rng = SeededGenerator(seed: 0x5EED)
        let views = augmenter.makeViews(indices: Array(0..<count), from: dataset.test, rng: &rng,
                                        threads: threads) // [2n, input...]
        let half = count * dataset.test.rowSize
        return (Array(views.data[0..<half]), Array(views.data[half...]), count)
    }

    private static func normalizeRows(_ z: inout [Float], dimension: Int) {
        let rows = z.count / dimension
        for r in 0..<rows {
            var norm: Float = 0
            for j in 0..<dimension { norm += z[r * dimension + j] * z[r * dimension + j] }
            let inv = 1 / max(norm.squareRoot(), 1e-12)
            for j in 0..<dimension { z[r * dimension + j] *= inv }
        }
    }
}

/// A curve point's figures and the log line of where its time went.
struct CurvePoint: Sendable {
    var report: EvaluationReport
    var note: String
}
