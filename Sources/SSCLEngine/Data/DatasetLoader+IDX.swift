import Foundation

/// IDX folders: `train-images-idx3-ubyte[.gz]` + `train-labels-idx1-ubyte[.gz]`, and
/// optionally the `t10k-*` pair as the official test split. Images are one channel.
extension DatasetLoader {
    static func loadIDX(folder: URL, name: String, scale: Float, classNames: [String]?,
                        testFraction: Float, seed: UInt64, within dataDirectory: DataDirectory?) throws -> Dataset {
        // The folder first, so one that leads outside is named as such (its files are checked
        // again as they are opened).
        try dataDirectory?.requireInside(realPath: DataDirectory.resolvedPath(folder.path), shownAs: folder.path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError(file: folder.path, "IDX folder not found")
        }
        guard let train = try readPair(prefix: "train", in: folder, required: true, within: dataDirectory) else {
            throw DatasetError(file: folder.path, "no train files")  // unreachable: required
        }
        let test = try readPair(prefix: "t10k", in: folder, required: false, within: dataDirectory)
        if let test, (test.height, test.width) != (train.height, train.width) {
            throw DatasetError(file: test.imagesFile, "images are \(test.height)x\(test.width) but the train images "
                               + "are \(train.height)x\(train.width)")
        }

        let maxLabel = max(train.labels.max() ?? 0, test?.labels.max() ?? 0)
        let names = classNames ?? (0...maxLabel).map(String.init)
        for pair in [train] + (test.map { [$0] } ?? []) {
            if let bad = pair.labels.first(where: { $0 >= names.count }) {
                throw DatasetError(file: pair.labelsFile, "label \(bad) is out of range for \(names.count) classes")
            }
        }

        let shape = ImageShape(channels: 1, height: train.height, width: train.width)
        let trainSplit = train.split(scale: scale)
        var testSplit: DataSplit
        var fitSplit = trainSplit
        if let test {
            testSplit = test.split(scale: scale)
        } else {
            (fitSplit, testSplit) = try holdout(trainSplit, fraction: testFraction, seed: seed, file: train.imagesFile)
        }
        var dataset = Dataset(name: name, train: fitSplit, test: testSplit, imageShape: shape,
                              classNames: names, hasOfficialTestSplit: test != nil)
        dataset.inputScale = scale
        return dataset
    }

    /// One images file with its labels file, checked against each other.
    private struct IDXPair {
        var imagesFile: String
        var labelsFile: String
        var count: Int
        var height: Int
        var width: Int
        /// [count, height, width]
        var pixels: [UInt8]
        var labels: [Int]

        /// Pixels times `scale` as float rows.
        func split(scale: Float) -> DataSplit {
            var features = [Float](repeating: 0, count: pixels.count)  // [count, height * width]
            pixels.withUnsafeBufferPointer { src in
                features.withUnsafeMutableBufferPointer { dst in
                    for i in 0..<src.count { dst[i] = Float(src[i]) * scale }
                }
            }
            return DataSplit(features: features, labels: labels, rowSize: height * width)
        }
    }

    /// Reads `<prefix>-images-idx3-ubyte` and `<prefix>-labels-idx1-ubyte` (plain or `.gz`).
    /// nil when neither exists and the pair is optional; one without the other is an error.
    private static func readPair(prefix: String, in folder: URL, required: Bool,
                                 within dataDirectory: DataDirectory?) throws -> IDXPair? {
        let imagesName = "\(prefix)-images-idx3-ubyte", labelsName = "\(prefix)-labels-idx1-ubyte"
        let imagesURL = IDXReader.locate(imagesName, in: folder)
        let labelsURL = IDXReader.locate(labelsName, in: folder)
        switch (imagesURL, labelsURL) {
        case (nil, nil) where !required:
            return nil
        case (nil, _):
            throw DatasetError(file: folder.path, "no \(imagesName) or \(imagesName).gz in the folder")
        case (_, nil):
            throw DatasetError(file: folder.path, "no \(labelsName) or \(labelsName).gz in the folder")
        case (let imagesURL?, let labelsURL?):
            let images = try IDXReader.read(imagesURL, expectedDimensions: 3, within: dataDirectory)
            let labels = try IDXReader.read(labelsURL, expectedDimensions: 1, within: dataDirectory)
            let count = images.dimensions[0]
            guard labels.dimensions[0] == count else {
                throw DatasetError(file: labelsURL.path, "has \(labels.dimensions[0]) labels but "
                                   + "\(imagesURL.lastPathComponent) has \(count) images")
            }
            guard count > 0, images.dimensions[1] > 0, images.dimensions[2] > 0 else {
                throw DatasetError(file: imagesURL.path, "holds no images (dimensions \(images.dimensions))")
            }
            return IDXPair(imagesFile: imagesURL.path, labelsFile: labelsURL.path, count: count,
                           height: images.dimensions[1], width: images.dimensions[2],
                           pixels: images.values, labels: labels.values.map { Int($0) })
        }
    }
}
