import Testing
@testable import SSCLEngine

struct NearestNeighborsTests {
    /// Against a float64 brute force (cosine of every pair, sorted, ties to the lower index),
    /// with duplicate rows so ties occur, a zero row, and more queries than one GEMM chunk.
    @Test func matchesBruteForce() {
        var rng = SeededGenerator(seed: 7)
        let count = 300, dimension = 9, queries = 70
        var rows = (0..<(count * dimension)).map { _ in Float.random(in: -1...1, using: &rng) }
        for j in 0..<dimension { rows[10 * dimension + j] = rows[3 * dimension + j] }  // row 10 == row 3
        for j in 0..<dimension { rows[20 * dimension + j] = 0 }
        var q = (0..<(queries * dimension)).map { _ in Float.random(in: -1...1, using: &rng) }
        for j in 0..<dimension { q[j] = rows[3 * dimension + j] }  // query 0 is row 3 (and 10)
        let index = NearestNeighbors(rows: rows, dimension: dimension)
        let found = index.search(q, k: 7)
        #expect(found.count == queries)

        func norm(_ v: ArraySlice<Float>) -> Double { v.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() }
        for i in 0..<queries {
            let a = q[(i * dimension)..<((i + 1) * dimension)]
            let sims: [(Int, Double)] = (0..<count).map { r in
                let b = rows[(r * dimension)..<((r + 1) * dimension)]
                let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                let n = norm(a) * norm(b)
                return (r, n > 0 ? dot / n : 0)
            }
            let best = sims.sorted { $0.1 > $1.1 + 1e-6 || (abs($0.1 - $1.1) <= 1e-6 && $0.0 < $1.0) }.prefix(7)
            #expect(found[i].map(\.index) == best.map(\.0), "query \(i)")
            for (m, b) in zip(found[i], best) { #expect(abs(Double(m.similarity) - b.1) < 1e-5) }
        }
        #expect(found[0].prefix(2).map(\.index) == [3, 10])
        #expect(abs(found[0][0].similarity - 1) < 1e-5)
    }

    @Test func kIsClampedToTheRowCount() {
        let index = NearestNeighbors(rows: [1, 0, 0, 1], dimension: 2)
        #expect(index.search([1, 0.1], k: 5).first?.map(\.index) == [0, 1])
        #expect(index.bytes == 16)
    }
}
