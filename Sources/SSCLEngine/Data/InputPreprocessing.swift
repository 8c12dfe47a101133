import Foundation

/// What turns a raw input row (values as in the dataset's own files: stored pixel values, CSV
/// feature values) into the row the model was trained on:
///
///     x' = (x * scale - mean) / std        (element-wise; mean and std only for tabular rows)
///
/// `scale` is the loader's (1/255 for 8-bit images unless the job set `scale`, 1 for CSV and
/// ARFF); `mean` and `std` are the train split's per-column statistics that `DatasetLoader.load`
/// standardised with (population std, a constant column's std is 1). An image file is decoded
/// to `image_shape[0]` planes of its 8-bit samples and resized to `image_shape[1...2]` first
/// (see `DecodedImage.row`). Tabular rows with nominal columns come already one-hot encoded, in
/// the order of `feature_names` (`column=category`), as the loader encodes them.
///
/// Stored as JSON (snake_case keys) in the `preprocessing` entry of `model.safetensors`'s
/// metadata, so a PyTorch user applies exactly this (README, "Using the encoder").
public struct InputPreprocessing: Sendable, Equatable, Codable {
    public var scale: Float
    /// [rowSize] for tabular rows; nil for images.
    public var mean: [Float]?
    /// [rowSize] for tabular rows; nil for images.
    public var std: [Float]?
    /// [C, H, W] for images; nil for tabular rows.
    public var imageShape: [Int]?
    /// The names of a tabular row's values, in order; empty for images.
    public var featureNames: [String]

    enum CodingKeys: String, CodingKey {
        case scale, mean, std
        case imageShape = "image_shape"
        case featureNames = "feature_names"
    }

    public init(scale: Float, mean: [Float]? = nil, std: [Float]? = nil, imageShape: [Int]? = nil, featureNames: [String] = []) {
        self.scale = scale
        self.mean = mean
        self.std = std
        self.imageShape = imageShape
        self.featureNames = featureNames
    }

    /// `count` raw rows ([count, rowSize]) preprocessed, with the loader's own standardisation.
    public func apply(to raw: [Float], count: Int) -> [Float] {
        precondition(count > 0 && raw.count % count == 0, "rows do not divide the values")
        var split = DataSplit(features: scale == 1 ? raw : raw.map { $0 * scale },
                              labels: [Int](repeating: 0, count: count), rowSize: raw.count / count)
        if let mean, let std { split.standardize(mean: mean, std: std) }
        return split.features
    }

    /// The inverse: one preprocessed row back in raw values ((x' * std + mean) / scale).
    public func raw(of row: ArraySlice<Float>) -> [Float] {
        var out = Array(row)
        if let mean, let std {
            for j in out.indices { out[j] = out[j] * std[j] + mean[j] }
        }
        return scale == 1 ? out : out.map { $0 / scale }
    }

    /// One image file (PNG or JPEG bytes) as a preprocessed row of `imageShape`.
    public func imageRow(from bytes: [UInt8]) throws -> [Float] {
        guard let shape = imageShape, shape.count == 3 else {
            throw ImageDecoder.Failure("this model takes tabular rows, not images")
        }
        let decoded = try ImageDecoder.decode(bytes)
        return decoded.row(channels: shape[0], scale: scale, height: shape[1], width: shape[2])
    }

    /// The JSON text stored in the safetensors metadata (keys sorted).
    public var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain numbers, strings and arrays cannot fail; non-finite statistics never occur.
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Reads `jsonText`.
    public static func parse(_ text: String) throws -> InputPreprocessing {
        try JSONDecoder().decode(InputPreprocessing.self, from: Data(text.utf8))
    }
}
