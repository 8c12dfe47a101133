import Foundation
import ZIPFoundation

/// NumPy datasets: an `.npz` archive (`np.savez` / `np.savez_compressed`) holding `x` and `y`,
/// and optionally `x_test` and `y_test` (`x_train`/`y_train` are accepted for `x`/`y`), or two
/// `.npy` files. `x` is `[rows, features]` (tabular, standardised in `load`), `[rows, H, W]`
/// (grayscale images), `[rows, H, W, C]` or `[rows, C, H, W]` with C 1 or 3 (images; channels
/// last is the NumPy/Keras habit and is tried first). `y` holds integer class labels.
extension DatasetLoader {
    /// The largest array entry read from an archive (NumPy arrays of a proof of concept are far
    /// smaller; this stops a compressed bomb before it fills memory).
    static let maxNumPyEntryBytes: UInt64 = 4 << 30

    static func loadNPZ(_ url: URL, scale: Float?, testFraction: Float, seed: UInt64,
                        within dataDirectory: DataDirectory? = nil) throws -> Dataset {
        let arrays = try readNPZ(url, within: dataDirectory)
        func pick(_ names: [String]) -> NumPyArray? { names.lazy.compactMap { arrays[$0] }.first }
        guard let x = pick(["x", "x_train", "X", "X_train"]), let y = pick(["y", "y_train", "Y", "Y_train"]) else {
            throw DatasetError(file: url.path, "an .npz dataset needs arrays 'x' and 'y'; it has: "
                               + arrays.keys.sorted().joined(separator: ", "))
        }
        let test = (pick(["x_test", "X_test"]), pick(["y_test", "Y_test"]))
        if (test.0 == nil) != (test.1 == nil) {
            throw DatasetError(file: url.path, "'x_test' and 'y_test' come together; the archive has only one of them")
        }
        return try makeNumPyDataset(name: url.deletingPathExtension().lastPathComponent, file: url.path,
                                    x: x, y: y, testX: test.0, testY: test.1,
                                    scale: scale, testFraction: testFraction, seed: seed)
    }

    static func loadNPY(x xURL: URL, y yURL: URL, scale: Float?, testFraction: Float, seed: UInt64,
                        within dataDirectory: DataDirectory? = nil) throws -> Dataset {
        let x = try NumPyArray.parse(try readDatasetFile(xURL, within: dataDirectory), name: xURL.path)
        let y = try NumPyArray.parse(try readDatasetFile(yURL, within: dataDirectory), name: yURL.path)
        return try makeNumPyDataset(name: xURL.deletingPathExtension().lastPathComponent, file: xURL.path,
                                    x: x, y: y, testX: nil, testY: nil, scale: scale, testFraction: testFraction, seed: seed)
    }

    /// Every `NAME.npy` entry of an `.npz` archive, by NAME.
    static func readNPZ(_ url: URL, within dataDirectory: DataDirectory? = nil) throws -> [String: NumPyArray] {
        let data = try readDatasetFile(url, within: dataDirectory)
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw DatasetError(file: url.path, "not a readable .npz (zip) archive")
        }
        var arrays: [String: NumPyArray] = [:]
        for entry in archive where entry.type == .file && entry.path.hasSuffix(".npy") {
            guard entry.uncompressedSize <= maxNumPyEntryBytes else {
                throw DatasetError(file: url.path, "the entry \(entry.path) would expand to \(entry.uncompressedSize) bytes")
            }
            var bytes = Data()
            bytes.reserveCapacity(Int(entry.uncompressedSize))
            do {
                _ = try archive.extract(entry) { chunk in
                    bytes.append(chunk)
                    if bytes.count > Int(maxNumPyEntryBytes) { throw DatasetError("entry too large") }
                }
            } catch {
                throw DatasetError(file: url.path, "the entry \(entry.path) cannot be read (\(error))")
            }
            let name = String(entry.path.dropLast(4).split(separator: "/").last ?? "")
            arrays[name] = try NumPyArray.parse(bytes, name: "\(url.lastPathComponent):\(entry.path)")
        }
        return arrays
    }

    static func makeNumPyDataset(name: String, file: String, x: NumPyArray, y: NumPyArray,
                                 testX: NumPyArray?, testY: NumPyArray?,
                                 scale: Float?, testFraction: Float, seed: UInt64) throws -> Dataset {
        let layout = try NumPyLayout(x.shape, file: file, array: "x")
        if let testX {
            let testLayout = try NumPyLayout(testX.shape, file: file, array: "x_test")
            guard testLayout.row == layout.row else {
                throw DatasetError(file: file, "x_test rows have shape \(testX.shape.dropFirst()) but x rows \(x.shape.dropFirst())")
            }
        }
        // Integer images (uint8 pixels) are scaled to [0, 1] unless the job sets `scale`.
        let factor = Double(scale ?? (layout.imageShape != nil && x.elementType == .uint8 ? 1 / 255 : 1))
        let trainLabels = try labels(y, rows: layout.rows, file: file, array: "y")
        let testLabels = try testY.map { try labels($0, rows: testX!.shape[0], file: file, array: "y_test") }
        let classes = Array(Set(trainLabels)).sorted()
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let classNames = classes.map(String.init)
        func features(_ a: NumPyArray, _ array: String) throws -> [Float] {
            var out = layout.reorder(a.values, rows: a.shape[0])  // [rows, C, H, W] or [rows, F]
            for i in out.indices {
                let v = out[i] * factor
                guard v.isFinite else {
                    throw DatasetError(file: file, "\(array) has a value that is not finite (row \(i / layout.row.count + 1))")
                }
                out[i] = v
            }
            return out.map(Float.init)
        }
        let all = DataSplit(features: try features(x, "x"), labels: trainLabels.map { index[$0]! }, rowSize: layout.row.count)
        let featureNames = layout.imageShape == nil ? (0..<layout.row.count).map { "x\($0)" } : []
        guard let testX, let testLabels else {
            let (fit, held) = try holdout(all, fraction: testFraction, seed: seed, file: file)
            var dataset = Dataset(name: name, train: fit, test: held, imageShape: layout.imageShape, classNames: classNames,
                                  featureNames: featureNames, hasOfficialTestSplit: false)
            dataset.inputScale = Float(factor)
            return dataset
        }
        var mapped: [Int] = []
        for (r, label) in testLabels.enumerated() {
            guard let i = index[label] else {
                throw DatasetError(file: file, "y_test[\(r)] is class \(label), which never occurs in y")
            }
            mapped.append(i)
        }
        let test = DataSplit(features: try features(testX, "x_test"), labels: mapped, rowSize: layout.row.count)
        var dataset = Dataset(name: name, train: all, test: test, imageShape: layout.imageShape, classNames: classNames,
                              featureNames: featureNames, hasOfficialTestSplit: true)
        dataset.inputScale = Float(factor)
        return dataset
    }

    /// Integer class labels, one per row (`[rows]` or `[rows, 1]`).
    private static func labels(_ y: NumPyArray, rows: Int, file: String, array: String) throws -> [Int] {
        guard y.shape.count == 1 || (y.shape.count == 2 && y.shape[1] == 1) else {
            throw DatasetError(file: file, "\(array) must be one label per row, shape (\(rows),); it has shape \(y.shape)")
        }
        guard y.shape[0] == rows else {
            throw DatasetError(file: file, "\(array) has \(y.shape[0]) labels for \(rows) rows")
        }
        guard rows > 0 else { throw DatasetError(file: file, "\(array) is empty") }
        return try y.values.enumerated().map { i, v in
            guard v.isFinite, v == v.rounded(), abs(v) < 1e15 else {
                throw DatasetError(file: file, "\(array)[\(i)] is \(v), not an integer class label")
            }
            return Int(v)
        }
    }
}

extension Dataset {
    /// NumPy rows as the job asked: images stay images only for `kind: image` (2-D `x` is an
    /// error then); `kind: tabular` flattens image arrays into feature rows.
    func asKind(_ kind: ArrayKind) throws -> Dataset {
        switch (kind, imageShape) {
        case (.image, nil):
            throw DatasetError("dataset kind is image but x has 2 dimensions (rows, features); "
                               + "give (rows, H, W[, C]) or use kind tabular")
        case (.tabular, .some):
            var flat = self
            flat.imageShape = nil
            flat.featureNames = (0..<rowSize).map { "x\($0)" }
            return flat
        default:
            return self
        }
    }
}

/// How `x`'s dimensions map to rows: tabular `[rows, F]` or images (channels first inside).
struct NumPyLayout {
    var rows: Int
    var row: (count: Int, shape: [Int])
    var imageShape: ImageShape?
    /// Channels last in the file (moved first on reading).
    var channelsLast = false

    init(_ shape: [Int], file: String, array: String) throws {
        guard let first = shape.first, first > 0 else {
            throw DatasetError(file: file, "\(array) has no rows (shape \(shape))")
        }
        rows = first
        switch shape.count {
        case 2:
            row = (shape[1], [shape[1]])
        case 3:
            imageShape = ImageShape(channels: 1, height: shape[1], width: shape[2])
            row = (shape[1] * shape[2], [1, shape[1], shape[2]])
        case 4 where shape[3] == 1 || shape[3] == 3:
            channelsLast = true
            imageShape = ImageShape(channels: shape[3], height: shape[1], width: shape[2])
            row = (shape[1] * shape[2] * shape[3], [shape[3], shape[1], shape[2]])
        case 4 where shape[1] == 1 || shape[1] == 3:
            imageShape = ImageShape(channels: shape[1], height: shape[2], width: shape[3])
            row = (shape[1] * shape[2] * shape[3], [shape[1], shape[2], shape[3]])
        default:
            throw DatasetError(file: file, "\(array) has shape \(shape): expected (rows, features), (rows, H, W), "
                               + "(rows, H, W, C) or (rows, C, H, W) with C 1 or 3")
        }
        guard row.count > 0 else { throw DatasetError(file: file, "\(array) rows are empty (shape \(shape))") }
    }

    /// Values in the engine's order: `[rows, C, H, W]` for images, as read otherwise.
    func reorder(_ values: [Double], rows: Int) -> [Double] {
        guard channelsLast, let s = imageShape, s.channels > 1 else { return values }
        var out = [Double](repeating: 0, count: values.count)
        let plane = s.height * s.width
        for r in 0..<rows {
            let base = r * s.size
            for p in 0..<plane {
                for c in 0..<s.channels { out[base + c * plane + p] = values[base + p * s.channels + c] }
            }
        }
        return out
    }
}
