/// One random view of a tabular row: SCARF corruption (Bahri et al. 2022) — each feature
/// with probability `mask` is replaced by the same column's value in a uniformly drawn train
/// row, i.e. a draw from that column's empirical marginal — then Gaussian noise of std `noise`.
public struct TabularAugmenter: Sendable {
    public let spec: AugmentSpec
    /// The rows the marginals are drawn from. [rows, rowSize]
    private let marginals: [Float]
    private let rows: Int
    public let rowSize: Int

    /// `train` supplies the marginals (standardised, as the model sees them).
    public init(spec: AugmentSpec, train: DataSplit) {
        precondition(train.count > 0 || spec.mask == 0, "SCARF needs train rows to draw from")
        self.spec = spec
        self.marginals = train.features
        self.rows = train.count
        self.rowSize = train.rowSize
    }

    /// Writes one augmented view of `row` ([rowSize]) into `output` ([rowSize]).
    public func augment(_ row: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>,
                        rng: inout SeededGenerator) {
        precondition(row.count >= rowSize && output.count >= rowSize, "row buffers smaller than \(rowSize)")
        let src = row.baseAddress!, dst = output.baseAddress!
        if spec.mask > 0 {
            marginals.withUnsafeBufferPointer { table in  // [rows, rowSize]
                let base = table.baseAddress!
                for j in 0..<rowSize {
                    dst[j] = rng.uniform() < spec.mask ? base[rng.int(below: rows) * rowSize + j] : src[j]
                }
            }
        } else {
            dst.update(from: src, count: rowSize)
        }
        if spec.noise > 0 { GaussianNoise.add(to: dst, count: rowSize, std: spec.noise, rng: &rng) }
    }
}
