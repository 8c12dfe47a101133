import CBLAS

/// Principal component analysis of the rows of a matrix, for the dashboard's 2-D view of the
/// representations.
///
/// The components are the top eigenvectors of the sample covariance C = Xcᵀ Xc / (n - 1) of the
/// centred rows Xc = X - mean, i.e. the right singular vectors of Xc (NumPy:
/// `np.linalg.svd(Xc)[2][:k]`); the explained variance of component i is its eigenvalue
/// λᵢ = sᵢ² / (n - 1) and the ratio λᵢ / trace(C). The eigenvectors are found by subspace
/// iteration on C (a few vectors more than asked, orthonormalised each round) followed by a
/// Rayleigh–Ritz step solved with cyclic Jacobi, all in float64: enough for d up to a few
/// thousand. Signs are normalised so each component's entry of largest magnitude is
/// positive (an eigenvector's sign is arbitrary; this makes the picture stable between
/// checkpoints and testable).
public struct PCA: Sendable, Equatable {
    /// [d], the column means removed before projecting.
    public var mean: [Double]
    /// [k][d], orthonormal, by decreasing variance.
    public var components: [[Double]]
    /// [k], the covariance's eigenvalues (ddof 1).
    public var explainedVariance: [Double]
    /// [k], each eigenvalue over the total variance trace(C) (0 when the data are constant).
    public var explainedVarianceRatio: [Double]

    /// Fits `k` components to `x` ([rows, columns], row-major).
    public static func fit(_ x: [Float], rows n: Int, columns d: Int, components k: Int) -> PCA {
        precondition(n > 0 && d > 0 && x.count == n * d, "x is not [\(n), \(d)]")
        precondition(k > 0 && k <= d, "components must be in 1...\(d)")
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<n { for j in 0..<d { mean[j] += Double(x[r * d + j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        var centred = [Double](repeating: 0, count: n * d)  // [n, d]
        for r in 0..<n { for j in 0..<d { centred[r * d + j] = Double(x[r * d + j]) - mean[j] } }
        // C = Xcᵀ Xc / (n - 1), [d, d]
        var covariance = [Double](repeating: 0, count: d * d)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(d), Int32(n),
                    1 / Double(max(n - 1, 1)), centred, Int32(d), centred, Int32(d), 0, &covariance, Int32(d))
        var total = 0.0
        for j in 0..<d { total += covariance[j * d + j] }

        let (values, vectors) = topEigenpairs(covariance, size: d, count: k)
        let components = vectors.map(signNormalised)
        return PCA(mean: mean, components: components, explainedVariance: values,
                   explainedVarianceRatio: values.map { total > 0 ? $0 / total : 0 })
    }

    /// The rows of `x` ([rows, d]) in component coordinates, [rows, k] row-major.
    public func transform(_ x: [Float], rows n: Int) -> [Double] {
        let d = mean.count, k = components.count
        precondition(x.count == n * d, "x is not [\(n), \(d)]")
        var out = [Double](repeating: 0, count: n * k)
        for r in 0..<n {
            for c in 0..<k {
                var s = 0.0
                for j in 0..<d { s += (Double(x[r * d + j]) - mean[j]) * components[c][j] }
                out[r * k + c] = s
            }
        }
        return out
    }

    /// The `count` largest eigenvalues of the symmetric `size` x `size` matrix `a` and their
    /// unit eigenvectors, largest first.
    static func topEigenpairs(_ a: [Double], size d: Int, count k: Int) -> (values: [Double], vectors: [[Double]]) {
        let m = min(d, k + 8)
        if m == d {
            // Small enough to solve whole.
            let (values, vectors) = jacobiEigen(a, size: d)
            return (Array(values.prefix(k)), Array(vectors.prefix(k)))
        }
        // Q: [d, m], a fixed start so the result does not depend on a random state.
        var rng = SeededGenerator(seed: 0x5eed)
        var q = (0..<(d * m)).map { _ in Double.random(in: -1...1, using: &rng) }
        orthonormaliseColumns(&q, rows: d, columns: m, rng: &rng)
        var z = [Double](repeating: 0, count: d * m)
        var previous: [[Double]] = []
        var result: (values: [Double], vectors: [[Double]]) = ([], [])
        for iteration in 1...3000 {
            // Z = C Q, then Q = orth(Z)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(m), Int32(d),
                        1, a, Int32(d), q, Int32(m), 0, &z, Int32(m))
            swap(&q, &z)
            orthonormaliseColumns(&q, rows: d, columns: m, rng: &rng)
            guard iteration % 10 == 0 else { continue }
            // Rayleigh–Ritz: T = Qᵀ C Q, [m, m]; its eigenvectors rotate Q onto the Ritz vectors.
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(m), Int32(d),
                        1, a, Int32(d), q, Int32(m), 0, &z, Int32(m))
            var t = [Double](repeating: 0, count: m * m)
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(m), Int32(d),
                        1, q, Int32(m), z, Int32(m), 0, &t, Int32(m))
            let (values, small) = jacobiEigen(t, size: m)
            var vectors: [[Double]] = []
            for i in 0..<k {
                var v = [Double](repeating: 0, count: d)
                for r in 0..<d {
                    var s = 0.0
                    for c in 0..<m { s += q[r * m + c] * small[i][c] }
                    v[r] = s
                }
                vectors.append(signNormalised(v))
            }
            result = (Array(values.prefix(k)), vectors)
            if !previous.isEmpty {
                var change = 0.0
                for (u, v) in zip(previous, vectors) { for (x, y) in zip(u, v) { change = max(change, abs(x - y)) } }
                if change < 1e-12 { break }
            }
            previous = vectors
        }
        return result
    }

    /// Modified Gram–Schmidt on the columns of `q` ([rows, columns] row-major), each column
    /// orthogonalised twice. A column (nearly) in the span of the ones before it, as C Q gives
    /// for the null space of a low-rank covariance, is replaced by a random vector from `rng`
    /// and orthogonalised again: normalising its rounding noise would give a vector that is
    /// not orthogonal to the others.
    static func orthonormaliseColumns(_ q: inout [Double], rows d: Int, columns m: Int, rng: inout SeededGenerator) {
        func norm(_ c: Int) -> Double {
            var s = 0.0
            for r in 0..<d { s += q[r * m + c] * q[r * m + c] }
            return s.squareRoot()
        }
        for c in 0..<m {
            for _ in 0..<5 {
                let before = norm(c)
                for _ in 0..<2 {
                    for p in 0..<c {
                        var dot = 0.0
                        for r in 0..<d { dot += q[r * m + c] * q[r * m + p] }
                        for r in 0..<d { q[r * m + c] -= dot * q[r * m + p] }
                    }
                }
                let after = norm(c)
                if after > 1e-8 * before && after > 0 {
                    for r in 0..<d { q[r * m + c] /= after }
                    break
                }
                for r in 0..<d { q[r * m + c] = Double.random(in: -1...1, using: &rng) }
            }
        }
    }

    /// All eigenpairs of a small symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan,
    /// "Matrix Computations", 8.5), sorted by decreasing eigenvalue; vectors are rows.
    static func jacobiEigen(_ matrix: [Double], size n: Int) -> (values: [Double], vectors: [[Double]]) {
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)  // columns are the eigenvectors
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in 0..<n where i != j { off += a[i * n + j] * a[i * n + j] } }
            var scale = 0.0
            for i in 0..<n { scale += a[i * n + i] * a[i * n + i] }
            if off <= 1e-30 * max(scale, 1e-300) { break }
            for p in 0..<(n - 1) {
                for q in (p + 1)..<n {
                    let apq = a[p * n + q]
                    if apq == 0 { continue }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { a[$0 * n + $0] > a[$1 * n + $1] }
        return (order.map { a[$0 * n + $0] }, order.map { i in (0..<n).map { v[$0 * n + i] } })
    }

    /// `v` or `-v`, whichever has its largest-magnitude entry positive.
    static func signNormalised(_ v: [Double]) -> [Double] {
        guard let i = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) }) else { return v }
        return v[i] < 0 ? v.map { -$0 } : v
    }
}
