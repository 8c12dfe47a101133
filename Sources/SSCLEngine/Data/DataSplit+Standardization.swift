/// Per-feature standardisation, x' = (x - mean) / std, with statistics taken from the
/// train split only so nothing leaks from the test rows.
extension DataSplit {
    /// Per-column mean and population standard deviation (float64 sums); a constant column
    /// gets std 1 so it maps to 0 rather than NaN.
    func featureMoments() -> (mean: [Float], std: [Float]) {
        let width = rowSize
        let n = Double(max(count, 1))
        var mean = [Double](repeating: 0, count: width)
        var squares = [Double](repeating: 0, count: width)
        features.withUnsafeBufferPointer { x in  // [count, rowSize]
            // Two passes (mean, then squared deviations) so constant columns give exactly 0.
            for r in 0..<count {
                let row = x.baseAddress! + r * width
                for j in 0..<width { mean[j] += Double(row[j]) }
            }
            for j in 0..<width { mean[j] /= n }
            for r in 0..<count {
                let row = x.baseAddress! + r * width
                for j in 0..<width {
                    let d = Double(row[j]) - mean[j]
                    squares[j] += d * d
                }
            }
        }
        let std = squares.map { (($0 / n).squareRoot()) }
        return (mean.map { Float($0) }, std.map { $0 > 1e-12 ? Float($0) : 1 })
    }

    /// Applies x' = (x - mean) / std column by column.
    mutating func standardize(mean: [Float], std: [Float]) {
        let width = rowSize
        precondition(mean.count == width && std.count == width)
        let inverse = std.map { 1 / $0 }
        let rows = count
        features.withUnsafeMutableBufferPointer { x in  // [count, rowSize]
            for r in 0..<rows {
                let row = x.baseAddress! + r * width
                for j in 0..<width { row[j] = (row[j] - mean[j]) * inverse[j] }
            }
        }
    }
}
