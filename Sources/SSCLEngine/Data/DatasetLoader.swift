import Foundation

/// Turns a `DatasetSpec` into a loaded `Dataset`: built-in names, IDX folders, CSV, NumPy and
/// ARFF files, and image folders.
///
/// Order of work: read the source; when it has no test split, hold out `testFraction` of
/// each class with a fixed seed; apply `trainLimit` (a fixed-seed random subset of the
/// train rows); for tabular rows, standardise every column with the (limited) train split's
/// mean and standard deviation.
public enum DatasetLoader {
    /// `fashion-mnist` (the Debian package `dataset-fashion-mnist`, or env `SSCL_FASHION_MNIST`),
    /// and the two sets shipped in the engine's resources.
    public static let builtinNames: [String] = ["fashion-mnist", "fashion-mnist-mini", "digits"]

    /// Resolves `spec` and loads it. `seed` fixes the hold-out split and the `trainLimit`
    /// subset; `baseDirectory` resolves relative paths (default: the working directory).
    /// With `dataDirectory` (the service's worker), relative paths resolve inside it instead
    /// and every file must lie inside it or a built-in folder when it is opened. `threads`
    /// decode image folders' files in parallel (the result is the same for any count).
    public static func load(_ spec: DatasetSpec, seed: UInt64, baseDirectory: URL? = nil,
                            within dataDirectory: DataDirectory? = nil, threads: Int = 1) throws -> Dataset {
        if let limit = spec.trainLimit, limit < 1 {
            throw DatasetError("trainLimit must be at least 1 (got \(limit))")
        }
        if let scale = spec.scale, !(scale.isFinite && scale > 0) {
            throw DatasetError("scale must be a positive number (got \(scale))")
        }
        func resolve(_ path: String) -> URL {
            dataDirectory?.resolve(path) ?? Self.resolve(path, against: baseDirectory)
        }
        var dataset: Dataset
        switch spec.source {
        case .builtin(let name):
            dataset = try loadBuiltin(name, spec: spec, seed: seed)
        case .idx(let path):
            let folder = resolve(path)
            dataset = try loadIDX(folder: folder, name: folder.lastPathComponent, scale: spec.scale ?? 1.0 / 255,
                                  classNames: nil, testFraction: spec.testFraction, seed: seed, within: dataDirectory)
        case .csv(let train, let test, let labelColumn):
            dataset = try loadCSV(train: resolve(train), test: test.map(resolve), labelColumn: labelColumn,
                                  testFraction: spec.testFraction, seed: seed, within: dataDirectory)
        case .npz(let path, let kind):
            dataset = try loadNPZ(resolve(path), scale: spec.scale, testFraction: spec.testFraction, seed: seed,
                                  within: dataDirectory).asKind(kind)
        case .npy(let x, let y, let kind):
            dataset = try loadNPY(x: resolve(x), y: resolve(y), scale: spec.scale, testFraction: spec.testFraction,
                                  seed: seed, within: dataDirectory).asKind(kind)
        case .arff(let train, let test, let labelColumn):
            dataset = try loadARFF(train: resolve(train), test: test.map(resolve), labelColumn: labelColumn,
                                   testFraction: spec.testFraction, seed: seed, within: dataDirectory)
        case .imageFolder(let folder):
            dataset = try loadImageFolder(folder, root: resolve(folder.path), scale: spec.scale ?? 1.0 / 255,
                                          testFraction: spec.testFraction, seed: seed, within: dataDirectory,
                                          threads: threads)
        }
        if let limit = spec.trainLimit {
            dataset.train = dataset.train.randomSubset(limit: limit, seed: seed)
        }
        if !dataset.isImage {
            let (mean, std) = dataset.train.featureMoments()
            dataset.train.standardize(mean: mean, std: std)
            dataset.test.standardize(mean: mean, std: std)
            (dataset.featureMean, dataset.featureStd) = (mean, std)
        }
        return dataset
    }

    /// An absolute path as is; a relative one against `baseDirectory` or the working directory
    /// (`sscl train`: `~` is expanded).
    static func resolve(_ path: String, against baseDirectory: URL?) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardizedFileURL }
        let base = baseDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        return base.appendingPathComponent(expanded).standardizedFileURL
    }

    /// Splits off a test split when the source has none, checking the fraction first.
    static func holdout(_ all: DataSplit, fraction: Float, seed: UInt64, file: String) throws
        -> (train: DataSplit, test: DataSplit) {
        guard fraction.isFinite, fraction > 0, fraction < 1 else {
            throw DatasetError(file: file, "no test split, and testFraction \(fraction) is not between 0 and 1")
        }
        return all.holdout(fraction: fraction, seed: seed)
    }
}
