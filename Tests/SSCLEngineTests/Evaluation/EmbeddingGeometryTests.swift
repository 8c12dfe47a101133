import Foundation
import Testing
@testable import SSCLEngine

@Suite struct EmbeddingGeometryTests {
    static func unit(_ row: ArraySlice<Float>) -> [Double] {
        let v = row.map(Double.init)
        let n = v.map { $0 * $0 }.reduce(0, +).squareRoot()
        return v.map { $0 / n }
    }

    @Test func identicalPairsAreAlignedAndAntipodalPairsAreNot() {
        var rng = SeededGenerator(seed: 1)
        let z = (0..<(20 * 6)).map { _ in rng.normal() }
        #expect(abs(EmbeddingGeometry.alignment(first: z, second: z, count: 20, dimension: 6)) < 1e-12)
        // Scale does not matter: rows are normalised first.
        #expect(abs(EmbeddingGeometry.alignment(first: z, second: z.map { $0 * 3 }, count: 20, dimension: 6)) < 1e-10)
        let opposite = EmbeddingGeometry.alignment(first: z, second: z.map { -$0 }, count: 20, dimension: 6)
        #expect(abs(opposite - 4) < 1e-6)
    }

    @Test func alignmentMatchesTheFormula() {
        var rng = SeededGenerator(seed: 2)
        let (n, d) = (33, 5)
        let a = (0..<(n * d)).map { _ in rng.normal() }
        let b = (0..<(n * d)).map { _ in rng.normal() }
        var expected = 0.0
        for i in 0..<n {
            let u = Self.unit(a[(i * d)..<((i + 1) * d)]), v = Self.unit(b[(i * d)..<((i + 1) * d)])
            expected += zip(u, v).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        }
        expected /= Double(n)
        #expect(abs(EmbeddingGeometry.alignment(first: a, second: b, count: n, dimension: d) - expected) < 1e-6)
    }

    @Test func twoAntipodalPointsHaveUniformityMinusEight() {
        // ||z_1 - z_2||^2 = 4, so log(mean exp(-2 * 4)) = -8.
        let u = EmbeddingGeometry.uniformity([1, 0, 0, -2, 0, 0], count: 2, dimension: 3)
        #expect(abs(u + 8) < 1e-9)
        // Identical points: log(exp(0)) = 0.
        #expect(abs(EmbeddingGeometry.uniformity([0.6, 0.8, 0.6, 0.8], count: 2, dimension: 2)) < 1e-6)
    }

    @Test func uniformityMatchesANaivePairLoopAcrossChunks() {
        var rng = SeededGenerator(seed: 3)
        let (n, d) = (EmbeddingGeometry.chunkRows + 44, 8)
        let z = (0..<(n * d)).map { _ in rng.normal() }
        let rows = (0..<n).map { Self.unit(z[($0 * d)..<(($0 + 1) * d)]) }
        var sum = 0.0
        for i in 0..<n {
            for j in (i + 1)..<n {
                let distance = zip(rows[i], rows[j]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
                sum += exp(-2 * distance)
            }
        }
        let expected = log(sum / Double(n * (n - 1) / 2))
        let got = EmbeddingGeometry.uniformity(z, count: n, dimension: d)
        #expect(abs(got - expected) < 1e-5, "got \(got), expected \(expected)")
        #expect(got < 0 && got > -4)
    }
}
