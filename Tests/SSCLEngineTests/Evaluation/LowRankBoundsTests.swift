import Testing
@testable import SSCLEngine

struct LowRankBoundsTests {
    /// Unit rows near a `latent`-dimensional subspace of R^dimension, plus `noise`.
    static func rows(count: Int, dimension: Int, latent: Int, noise: Float, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        let mixing = (0..<(latent * dimension)).map { _ in Float.random(in: -1...1, using: &rng) }
        var x = [Float](repeating: 0, count: count * dimension)
        for r in 0..<count {
            let z = (0..<latent).map { _ in Float.random(in: -1...1, using: &rng) }
            for j in 0..<dimension {
                var v: Float = 0
                for l in 0..<latent { v += z[l] * mixing[l * dimension + j] }
                x[r * dimension + j] = v + noise * Float.random(in: -1...1, using: &rng)
            }
        }
        return KNNClassifier.unitRows(x, dimension: dimension)
    }

    @Test func theBasisIsOrthonormal() {
        let d = 48, rank = 6
        let x = Self.rows(count: 500, dimension: d, latent: 10, noise: 0.1, seed: 1)
        let bounds = x.withUnsafeBufferPointer { LowRankBounds.fit(rows: $0.baseAddress!, rowCount: 500, dimension: d, rank: rank) }
        for a in 0..<rank {
            for b in 0..<rank {
                var dot = 0.0
                for j in 0..<d { dot += Double(bounds.basis[j * rank + a]) * Double(bounds.basis[j * rank + b]) }
                #expect(abs(dot - (a == b ? 1 : 0)) < 1e-5, "columns \(a), \(b)")
            }
        }
    }

    /// |q·x − (Vᵀq)·(Vᵀx)| ≤ ‖q⊥‖‖x⊥‖ for every pair, on data the basis fits well (most of
    /// the energy in the span) and on data it does not (flat spectrum).
    @Test(arguments: [(latent: 4, noise: Float(0.05)), (latent: 40, noise: Float(1))])
    func boundsHoldForEveryPair(data: (latent: Int, noise: Float)) {
        let d = 40, rank = 5, n = 300
        let x = Self.rows(count: n, dimension: d, latent: data.latent, noise: data.noise, seed: 2)
        let q = Self.rows(count: 40, dimension: d, latent: data.latent, noise: data.noise, seed: 3)
        let bounds = x.withUnsafeBufferPointer { LowRankBounds.fit(rows: $0.baseAddress!, rowCount: n, dimension: d, rank: rank) }
        let (xc, xr) = x.withUnsafeBufferPointer { bounds.project($0.baseAddress!, count: n) }
        let (qc, qr) = q.withUnsafeBufferPointer { bounds.project($0.baseAddress!, count: 40) }
        var widest: Float = 0
        for i in 0..<40 {
            for r in 0..<n {
                var exact = 0.0, low = 0.0
                for j in 0..<d { exact += Double(q[i * d + j]) * Double(x[r * d + j]) }
                for j in 0..<rank { low += Double(qc[i * rank + j]) * Double(xc[r * rank + j]) }
                let reach = Double(qr[i]) * Double(xr[r])
                #expect(abs(exact - low) <= reach + 1e-6, "pair \(i), \(r)")
                widest = max(widest, qr[i] * xr[r])
            }
        }
        // The bound is tight where the data lie near the span, loose where they do not.
        if data.latent < rank { #expect(widest < 0.1) } else { #expect(widest > 0.3) }
    }
}
