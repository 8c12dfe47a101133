import Foundation
import Logging
import SSCLEngine

/// Embeddings, neighbours, the projection and single items of a job, computed with the job's
/// newest weights (`TrainedWeights.latest`: the final model, else the latest checkpoint) on
/// the service's own inference threads. Everything a request needs is loaded lazily on first
/// use and cached (`InferenceCache`); the job's data are loaded with `DatasetLoader` exactly as
/// its worker loads them, so the raw inputs get the same preprocessing.
final class InferenceService: Sendable {
    /// What the service needs to know of a job.
    struct Job: Sendable {
        var id: String
        var directory: URL
        var resolvedJSON: String
    }

    /// An embed or neighbours input.
    enum Input: Sendable {
        /// Raw rows, each of the dataset's row size.
        case rows([[Double]])
        /// One PNG or JPEG file.
        case image([UInt8])
    }

    /// Rows per request.
    static let maxInputs = 1024
    static let maxK = 100
    /// Test rows in the projection.
    static let projectionRows = 2000

    let threads: InferenceThreads
    let cache: InferenceCache
    let dataDirectory: URL
    let logger: Logger

    init(threads: Int, maxRequests: Int, cacheBytes: Int, dataDirectory: URL, logger: Logger) {
        self.threads = InferenceThreads(threads: threads, maxRequests: maxRequests)
        cache = InferenceCache(capacityBytes: cacheBytes)
        self.dataDirectory = dataDirectory
        self.logger = logger
    }

    func embed(_ job: Job, _ input: Input, normalize: Bool) throws -> EmbedResponse {
        try threads.run { [self] in
            let model = try model(job)
            let data = try dataset(job)
            let (rows, count) = try preprocess(input, data.preprocessing, rowSize: data.rowSize)
            var out = model.representations(of: rows, count: count)
            if normalize { out = NearestNeighbors(rows: out, dimension: model.representationSize).unitRows }
            let width = model.representationSize
            return EmbedResponse(embeddings: (0..<count).map { Array(out[($0 * width)..<(($0 + 1) * width)]) },
                                 step: model.step, source: model.version.source.rawValue)
        }
    }

    func neighbors(_ job: Job, _ input: Input, k: Int) throws -> NeighborsResponse {
        try threads.run { [self] in
            let model = try model(job)
            let data = try dataset(job)
            guard (1...min(Self.maxK, data.train.count)).contains(k) else {
                throw InferenceError.invalidInput(field: "k", reason: "must be in 1...\(min(Self.maxK, data.train.count))")
            }
            let (rows, count) = try preprocess(input, data.preprocessing, rowSize: data.rowSize)
            let index = trainIndex(job, model: model, data: data)
            let matches = index.search(model.representations(of: rows, count: count), k: k)
            return NeighborsResponse(neighbors: matches.map { $0.map { Self.match($0, data) } },
                                     step: model.step, source: model.version.source.rawValue)
        }
    }

    func projection(_ job: Job) throws -> ProjectionResponse {
        try threads.run { [self] in
            let model = try model(job)
            if case let .projection(p)? = cache.value(for: .projection(job: job.id, model.version)) { return p }
            let data = try dataset(job)
            let sample = Self.projectionSample(testCount: data.test.count)
            let reps = model.representations(of: data.test.subset(sample).features, count: sample.count)
            let d = model.representationSize
            let pca = PCA.fit(reps, rows: sample.count, columns: d, components: min(2, d))
            let xy = pca.transform(reps, rows: sample.count)
            let k = pca.components.count
            let points = sample.enumerated().map { i, row in
                ProjectionResponse.Point(index: row, label: data.test.labels[row], x: xy[i * k], y: k > 1 ? xy[i * k + 1] : 0)
            }
            var ratios = pca.explainedVarianceRatio
            while ratios.count < 2 { ratios.append(0) }
            let p = ProjectionResponse(method: "pca", step: model.step, explainedVariance: ratios, points: points,
                                       classNames: data.classNames)
            cache.insert(.projection(p), bytes: 64 * points.count, for: .projection(job: job.id, model.version))
            return p
        }
    }

    /// The fixed sample: every test row when there are at most 2000, else 2000 of them drawn
    /// with a fixed seed (in index order), the same at every step.
    static func projectionSample(testCount: Int) -> [Int] {
        guard testCount > projectionRows else { return Array(0..<testCount) }
        var rng = SeededGenerator(seed: 2000)
        return Array(Array(0..<testCount).shuffled(using: &rng).prefix(projectionRows)).sorted()
    }

    enum Split: String, Sendable { case train, test }

    func item(_ job: Job, split: Split, index: Int, k: Int) throws -> ItemResponse {
        try threads.run { [self] in
            guard TrainedWeights.currentVersion(in: job.directory) != nil else { throw InferenceError.noModel(job: job.id) }
            let data = try dataset(job)
            let rows = split == .train ? data.train : data.test
            guard (0..<rows.count).contains(index) else {
                throw InferenceError.noItem(index: index, split: split.rawValue, count: rows.count)
            }
            guard (1...Self.maxK).contains(k) else { throw InferenceError.invalidInput(field: "k", reason: "must be in 1...\(Self.maxK)") }
            let row = rows.features[(index * rows.rowSize)..<((index + 1) * rows.rowSize)]
            var item = ItemResponse(index: index, label: rows.labels[index], className: data.classNames[rows.labels[index]],
                                    values: nil, image: nil, neighbors: [])
            if let shape = data.imageShape {
                item.image = .init(width: shape.width, height: shape.height, channels: shape.channels,
                                   pixels: row.map { Int(min(max(($0 * 255).rounded(), 0), 255)) })
            } else {
                item.values = data.preprocessing.raw(of: row).map(Double.init)
            }
            let model = try model(job)
            let train = trainIndex(job, model: model, data: data)
            let own = split == .train ? index : nil
            let found = train.search(model.representations(of: Array(row), count: 1), k: min(k + (own == nil ? 0 : 1), data.train.count))
            item.neighbors = Array(found[0].filter { $0.index != own }.prefix(k)).map { Self.match($0, data) }
            return item
        }
    }

    // MARK: - Loading (on the inference threads)

    private func dataset(_ job: Job) throws -> Dataset {
        if case let .dataset(d)? = cache.value(for: .dataset(job: job.id)) { return d }
        let spec = try jobSpec(job)
        let started = Date()
        let data: Dataset
        do {
            data = try DatasetLoader.load(spec.dataset, seed: spec.seed, baseDirectory: dataDirectory,
                                          within: DataDirectory(dataDirectory), threads: 1)
        } catch {
            throw InferenceError.unavailable("the job's dataset cannot be loaded: \(error)")
        }
        logger.info("inference: loaded the dataset", metadata: ["job": "\(job.id)", "seconds": "\(Date().timeIntervalSince(started))"])
        cache.insert(.dataset(data), bytes: 4 * (data.train.features.count + data.test.features.count), for: .dataset(job: job.id))
        return data
    }

    private func model(_ job: Job) throws -> LoadedModel {
        guard let version = TrainedWeights.currentVersion(in: job.directory) else { throw InferenceError.noModel(job: job.id) }
        if case let .model(m)? = cache.value(for: .model(job: job.id, version)) { return m }
        let data = try dataset(job)
        let loaded: LoadedModel
        do {
            guard let weights = try TrainedWeights.latest(in: job.directory) else { throw InferenceError.noModel(job: job.id) }
            loaded = try LoadedModel(spec: try jobSpec(job).model, inputShape: data.rowShape, weights: weights)
        } catch let error as InferenceError {
            throw error
        } catch {
            throw InferenceError.unavailable("the job's weights cannot be loaded: \(error)")
        }
        cache.insert(.model(loaded), bytes: loaded.bytes, for: .model(job: job.id, loaded.version))
        return loaded
    }

    /// The train split's representations, unit rows, computed once per weights version.
    private func trainIndex(_ job: Job, model: LoadedModel, data: Dataset) -> NearestNeighbors {
        let key = InferenceCache.Key.trainIndex(job: job.id, model.version)
        if case let .trainIndex(i)? = cache.value(for: key) { return i }
        let index = NearestNeighbors(rows: model.representations(of: data.train.features, count: data.train.count),
                                     dimension: model.representationSize)
        cache.insert(.trainIndex(index), bytes: index.bytes, for: key)
        return index
    }

    private func jobSpec(_ job: Job) throws -> JobSpec {
        do {
            return try JobSpec.parse(json: Data(job.resolvedJSON.utf8))
        } catch {
            throw InferenceError.unavailable("the job document does not parse: \(error)")
        }
    }

    // MARK: - Inputs

    /// Raw inputs checked (count, width, finite) and preprocessed: [count, rowSize].
    private func preprocess(_ input: Input, _ preprocessing: InputPreprocessing, rowSize: Int) throws -> (rows: [Float], count: Int) {
        switch input {
        case let .image(bytes):
            do {
                return (try preprocessing.imageRow(from: bytes), 1)
            } catch {
                throw InferenceError.invalidInput(field: "body", reason: "\(error)")
            }
        case let .rows(rows):
            guard !rows.isEmpty, rows.count <= Self.maxInputs else {
                throw InferenceError.invalidInput(field: "inputs", reason: "must hold 1 to \(Self.maxInputs) rows (got \(rows.count))")
            }
            var flat: [Float] = []
            flat.reserveCapacity(rows.count * rowSize)
            for (i, row) in rows.enumerated() {
                guard row.count == rowSize else {
                    throw InferenceError.invalidInput(field: "inputs[\(i)]", reason: "has \(row.count) values; this job's rows have \(rowSize)")
                }
                for (j, v) in row.enumerated() {
                    let f = Float(v)
                    guard f.isFinite else { throw InferenceError.invalidInput(field: "inputs[\(i)][\(j)]", reason: "is not a finite float32") }
                    flat.append(f)
                }
            }
            return (preprocessing.apply(to: flat, count: rows.count), rows.count)
        }
    }

    private static func match(_ m: NearestNeighbors.Match, _ data: Dataset) -> NeighborMatch {
        let label = data.train.labels[m.index]
        return NeighborMatch(index: m.index, label: label, className: data.classNames[label], similarity: m.similarity)
    }
}
