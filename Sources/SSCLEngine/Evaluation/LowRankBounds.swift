import CBLAS

/// Bounds on inner products from a rank-r projection, for the pruned exact top-k
/// (`CosineTopK+Pruned`).
///
/// With V [dimension, rank] of orthonormal columns, every row splits as x = V Vᵀx + x⊥ with
/// x⊥ orthogonal to V's span, so for a query q
///
///     q · x = (Vᵀq) · (Vᵀx) + q⊥ · x⊥,   and   |q⊥ · x⊥| ≤ ‖q⊥‖ ‖x⊥‖   (Cauchy–Schwarz),
///
/// which bounds q · x within ‖q⊥‖‖x⊥‖ of a rank-r inner product. Any orthonormal V makes the
/// bound true; a V spanning the rows' principal directions makes it tight. Learned
/// representations qualify: on the default Fashion-MNIST encoder 96.7% of the rows' energy lies
/// in 64 of 512 directions, so ‖x⊥‖ is about 0.18 and most rows can be ruled out of a query's
/// top k without their full inner product.
struct LowRankBounds {
    let dimension: Int
    let rank: Int
    /// [dimension, rank], orthonormal columns.
    let basis: [Float]

    /// Rows sampled to estimate the principal directions; the bound holds whatever the
    /// estimate, so a sample is enough.
    static let sampleRows = 4096
    /// Rounds of subspace iteration: the captured energy, not exact eigenvectors, is what
    /// matters, and it settles within a few rounds.
    static let iterations = 6

    /// The top-`rank` principal directions (uncentred: the energy of the rows, which is what
    /// inner products see) of up to `sampleRows` evenly spaced rows of `rows` [rowCount,
    /// dimension], by subspace iteration Q ← orth(C Q) on C = SᵀS from a fixed start.
    static func fit(rows: UnsafePointer<Float>, rowCount: Int, dimension d: Int, rank: Int) -> LowRankBounds {
        precondition(rowCount > 0 && rank > 0 && rank <= d)
        let samples = min(sampleRows, rowCount)
        var sample = [Float](repeating: 0, count: samples * d)  // [samples, d]
        for i in 0..<samples {
            let row = i * rowCount / samples
            for j in 0..<d { sample[i * d + j] = rows[row * d + j] }
        }
        var second = [Float](repeating: 0, count: d * d)  // C = SᵀS, [d, d]
        sample.withUnsafeBufferPointer { s in
            second.withUnsafeMutableBufferPointer { c in
                BLAS.gemm(transA: true, m: d, n: d, k: samples, a: s.baseAddress!, b: s.baseAddress!, c: c.baseAddress!)
            }
        }
        let c = second.map(Double.init)
        var rng = SeededGenerator(seed: 0x10_4A4B)
        var q = (0..<(d * rank)).map { _ in Double.random(in: -1...1, using: &rng) }  // [d, rank]
        PCA.orthonormaliseColumns(&q, rows: d, columns: rank, rng: &rng)
        var z = [Double](repeating: 0, count: d * rank)
        for _ in 0..<iterations {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(rank), Int32(d),
                        1, c, Int32(d), q, Int32(rank), 0, &z, Int32(rank))
            swap(&q, &z)
            PCA.orthonormaliseColumns(&q, rows: d, columns: rank, rng: &rng)
        }
        return LowRankBounds(dimension: d, rank: rank, basis: q.map(Float.init))
    }

    /// Vᵀx of every row of `rows` [count, dimension] as [count, rank], and ‖x⊥‖ per row,
    /// rounded up: ‖x⊥‖² = ‖x‖² − ‖Vᵀx‖² loses digits to cancellation when x⊥ is small, so
    /// `residualFloor` (1e-4, far above float32 rounding of unit rows) is added before the root.
    func project(_ rows: UnsafePointer<Float>, count: Int) -> (coordinates: [Float], residuals: [Float]) {
        var coordinates = [Float](repeating: 0, count: count * rank)
        var residuals = [Float](repeating: 0, count: count)
        guard count > 0 else { return (coordinates, residuals) }
        basis.withUnsafeBufferPointer { v in
            coordinates.withUnsafeMutableBufferPointer { out in
                BLAS.gemm(m: count, n: rank, k: dimension, a: rows, b: v.baseAddress!, c: out.baseAddress!)
            }
        }
        for r in 0..<count {
            var whole = 0.0, projected = 0.0
            for j in 0..<dimension { whole += Double(rows[r * dimension + j]) * Double(rows[r * dimension + j]) }
            for j in 0..<rank { projected += Double(coordinates[r * rank + j]) * Double(coordinates[r * rank + j]) }
            residuals[r] = Float((max(0, whole - projected) + Self.residualFloor).squareRoot())
        }
        return (coordinates, residuals)
    }

    static let residualFloor = 1e-4
}
