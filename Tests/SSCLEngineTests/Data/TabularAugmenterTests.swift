import Testing
@testable import SSCLEngine

@Suite struct TabularAugmenterTests {
    /// 50 rows of 6 features; column j holds 100 j + row, so every value names its column.
    private let train = DataSplit(features: (0..<300).map { Float(($0 % 6) * 100 + $0 / 6) },
                                  labels: Array(repeating: 0, count: 50), rowSize: 6)

    private func augment(_ row: [Float], _ spec: AugmentSpec, seed: UInt64) -> [Float] {
        let augmenter = TabularAugmenter(spec: spec, train: train)
        var rng = SeededGenerator(seed: seed)
        var output = [Float](repeating: .nan, count: row.count)
        row.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { augmenter.augment(src, into: $0, rng: &rng) }
        }
        return output
    }

    @Test func nothingOnIsTheIdentity() {
        let row: [Float] = [1, 2, 3, 4, 5, 6]
        #expect(augment(row, AugmentSpec(), seed: 1) == row)
    }

    @Test func maskedValuesComeFromTheSameColumnsMarginal() {
        let row = [Float](repeating: -1, count: 6)
        var replaced = 0
        for seed in 0..<200 {
            let y = augment(row, AugmentSpec(mask: 0.3), seed: UInt64(seed))
            #expect(y == augment(row, AugmentSpec(mask: 0.3), seed: UInt64(seed)))
            for j in 0..<6 where y[j] != -1 {
                replaced += 1
                let r = y[j] - Float(100 * j)
                #expect(r >= 0 && r < 50 && r == r.rounded(), "feature \(j) got \(y[j])")
            }
        }
        #expect(abs(Double(replaced) / 1200 - 0.3) < 0.04)
        // mask 1 replaces everything, from rows drawn independently per feature.
        let all = augment(row, AugmentSpec(mask: 1), seed: 7)
        #expect((0..<6).allSatisfy { all[$0] >= Float(100 * $0) && all[$0] < Float(100 * $0 + 50) })
    }

    @Test func noiseIsAddedAfterMasking() {
        let row = [Float](repeating: 0, count: 6)
        let y = augment(row, AugmentSpec(noise: 0.1), seed: 2)
        #expect(y != row && y.allSatisfy { abs($0) < 0.6 })
        #expect(y == augment(row, AugmentSpec(noise: 0.1), seed: 2))
    }
}
