import Testing
@testable import SSCLEngine

@Suite struct ContrastiveLossHardPoolTests {
    /// Runs the hard-pool selection on `row` and returns the chosen indices.
    static func select(_ row: [Float], pool: Int) -> [Int] {
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: row.count)
        let bins = UnsafeMutablePointer<Int32>.allocate(capacity: ContrastiveLoss.hardPoolBins)
        let indices = UnsafeMutablePointer<Int>.allocate(capacity: pool)
        defer { keys.deallocate(); bins.deallocate(); indices.deallocate() }
        indices.initialize(repeating: -1, count: pool)
        row.withUnsafeBufferPointer { r in
            ContrastiveLoss.selectHardPool(row: r.baseAddress!, count: row.count, pool: pool, high: row.max()!,
                                           keys: keys, bins: bins, indices: indices)
        }
        return Array(UnsafeBufferPointer(start: indices, count: pool))
    }

    /// The reference: a full stable sort by descending value, ties to the lower index.
    static func sortedTop(_ row: [Float], pool: Int) -> [Int] {
        Array(row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }.prefix(pool))
    }

    @Test func selectionTiesGoToTheLowerIndex() {
        let row: [Float] = [0.5, 0.9, 0.5, -.infinity, 0.9, 0.1, 0.5, -.infinity]
        #expect(Self.select(row, pool: 4) == [1, 4, 0, 2])
        #expect(Self.select(row, pool: 6) == [1, 4, 0, 2, 6, 5])
        // -0 and +0 are equal cosines: ordered by index.
        #expect(Self.select([0, -0.0, 0, -0.0], pool: 4) == [0, 1, 2, 3])
    }

    @Test func selectionMatchesAFullSort() {
        var rng = SeededGenerator(seed: 17)
        for trial in 0..<50 {
            let count = 10 + trial
            // Few distinct values, so ties are common.
            let row = (0..<count).map { _ in Float(rng.int(below: 7)) / 7 }
            for pool in [1, 3, count / 2, count] {
                #expect(Self.select(row, pool: pool) == Self.sortedTop(row, pool: pool))
            }
        }
    }

    @Test func concentratedAndDegenerateRowsStillSelectExactly() {
        var rng = SeededGenerator(seed: 23)
        // Collapsed embeddings: every cosine within 1e-3 of 0.999 (one histogram bin).
        let tight = (0..<300).map { _ in 0.999 - rng.uniform() * 1e-3 }
        #expect(Self.select(tight, pool: 32) == Self.sortedTop(tight, pool: 32))
        // All equal, including the lowest possible cosine: ties all the way down.
        let flat = [Float](repeating: -1, count: 40)
        #expect(Self.select(flat, pool: 8) == Array(0..<8))
        var masked = [Float](repeating: 0.25, count: 12)
        masked[0] = -.infinity
        masked[6] = -.infinity
        #expect(Self.select(masked, pool: 10) == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11])
        // One outlier far above a dense cluster.
        var outlier = (0..<200).map { _ in rng.uniform(-0.01, 0.01) }
        outlier[137] = 0.9
        #expect(Self.select(outlier, pool: 5) == Self.sortedTop(outlier, pool: 5))
    }

    @Test func maskedEntriesAreNeverChosen() {
        let row: [Float] = [-.infinity, 0.2, -0.7, -.infinity, -0.1]
        #expect(Self.select(row, pool: 3) == [1, 4, 2])
    }
}
