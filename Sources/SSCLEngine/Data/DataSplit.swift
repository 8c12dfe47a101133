/// A labelled split: `count` rows of `rowSize` features each, row-major, and one class
/// index per row.
public struct DataSplit: Sendable, Equatable {
    /// [count, rowSize]
    public var features: [Float]
    /// [count], each in 0..<numClasses.
    public var labels: [Int]
    public var count: Int
    public var rowSize: Int

    public init(features: [Float], labels: [Int], rowSize: Int) {
        precondition(rowSize > 0 && features.count == labels.count * rowSize,
                     "\(features.count) features do not make \(labels.count) rows of \(rowSize)")
        self.features = features
        self.labels = labels
        self.count = labels.count
        self.rowSize = rowSize
    }

    /// An empty split with rows of `rowSize`.
    public static func empty(rowSize: Int) -> DataSplit {
        DataSplit(features: [], labels: [], rowSize: rowSize)
    }

    /// Rows `indices`, in that order, as a new split.
    public func subset(_ indices: [Int]) -> DataSplit {
        let width = rowSize
        var out = [Float](repeating: 0, count: indices.count * width)
        features.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (r, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "row \(i) out of range 0..<\(count)")
                    dst.baseAddress!.advanced(by: r * width)
                        .update(from: src.baseAddress!.advanced(by: i * width), count: width)
                }
            }
        }
        return DataSplit(features: out, labels: indices.map { labels[$0] }, rowSize: width)
    }

    /// Rows per class, for `numClasses` classes.
    public func classCounts(numClasses: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: numClasses)
        for label in labels where label >= 0 && label < numClasses { counts[label] += 1 }
        return counts
    }
}
