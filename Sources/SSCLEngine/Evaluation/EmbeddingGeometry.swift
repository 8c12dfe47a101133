import Foundation

/// The two properties of contrastive embeddings from Wang & Isola 2020 ("Understanding
/// Contrastive Representation Learning through Alignment and Uniformity on the Hypersphere"):
/// positives should be close (alignment, lower is better) and all embeddings spread evenly over
/// the sphere (uniformity, lower is better). Rows are L2-normalised here first (zero rows stay 0).
public enum EmbeddingGeometry {
    /// Rows of `z` per similarity GEMM in `uniformity`.
    static let chunkRows = 256

    /// alignment = (1/n) sum_i ||z_i - z'_i||^2 (alpha = 2), where z_i and z'_i are row i of `first`
    /// and `second` after L2 normalisation, both [count, dimension]. Range [0, 4].
    public static func alignment(first: [Float], second: [Float], count: Int, dimension: Int) -> Double {
        precondition(count > 0 && first.count == count * dimension && second.count == count * dimension)
        let a = KNNClassifier.unitRows(first, dimension: dimension)   // [count, dimension]
        let b = KNNClassifier.unitRows(second, dimension: dimension)  // [count, dimension]
        var total: Double = 0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for i in 0..<(count * dimension) {
                    let d = Double(pa[i]) - Double(pb[i])
                    total += d * d
                }
            }
        }
        return total / Double(count)
    }

    /// uniformity = log( (2 / (n (n-1))) sum_{i<j} exp(-2 ||z_i - z_j||^2) ) (t = 2), over the n = `count`
    /// L2-normalised rows of `z` [count, dimension]; ||z_i - z_j||^2 = 2 - 2 z_i.z_j from one GEMM per
    /// chunk of rows. Range [-4, 0]. Cost O(n^2 d): subsampling is the caller's job.
    public static func uniformity(_ z: [Float], count: Int, dimension: Int) -> Double {
        precondition(count >= 2, "uniformity needs at least two embeddings")
        precondition(z.count == count * dimension)
        let unit = KNNClassifier.unitRows(z, dimension: dimension)   // [count, dimension]
        var squaredNorms = [Double](repeating: 0, count: count)      // [count], 1 or 0 (zero rows)
        var gram = [Float](repeating: 0, count: min(chunkRows, count) * count)  // [chunk, count]
        var total: Double = 0
        unit.withUnsafeBufferPointer { u in
            for i in 0..<count {
                var s: Double = 0
                for j in 0..<dimension { s += Double(u[i * dimension + j]) * Double(u[i * dimension + j]) }
                squaredNorms[i] = s
            }
            gram.withUnsafeMutableBufferPointer { g in
                for start in stride(from: 0, to: count - 1, by: chunkRows) {
                    let rows = min(chunkRows, count - start)
                    BLAS.gemm(transB: true, m: rows, n: count, k: dimension,
                              a: u.baseAddress! + start * dimension, b: u.baseAddress!, c: g.baseAddress!)
                    for r in 0..<rows {
                        let i = start + r
                        let row = g.baseAddress! + r * count
                        for j in (i + 1)..<count {
                            let distance = max(0, squaredNorms[i] + squaredNorms[j] - 2 * Double(row[j]))
                            total += Foundation.exp(-2 * distance)
                        }
                    }
                }
            }
        }
        let pairs = Double(count) * Double(count - 1) / 2
        return Foundation.log(total / pairs)
    }
}
