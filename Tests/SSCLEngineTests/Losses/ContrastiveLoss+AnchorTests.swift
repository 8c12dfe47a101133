import Testing
@testable import SSCLEngine

@Suite struct ContrastiveLossAnchorTests {
    /// Runs the partial selection on `row` and returns the chosen indices.
    static func select(_ row: [Float], pool: Int) -> [Int] {
        var values = [Float](repeating: 0, count: pool)
        var indices = [Int](repeating: -1, count: pool)
        row.withUnsafeBufferPointer { r in
            values.withUnsafeMutableBufferPointer { v in
                indices.withUnsafeMutableBufferPointer { ix in
                    ContrastiveLoss.selectHardPool(row: r.baseAddress!, count: row.count, pool: pool,
                                                   values: v.baseAddress!, indices: ix.baseAddress!)
                }
            }
        }
        return indices
    }

    /// The reference: a full stable sort by descending value, ties to the lower index.
    static func sortedTop(_ row: [Float], pool: Int) -> [Int] {
        Array(row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }.prefix(pool))
    }

    @Test func selectionTiesGoToTheLowerIndex() {
        let row: [Float] = [0.5, 0.9, 0.5, -.infinity, 0.9, 0.1, 0.5, -.infinity]
        #expect(Self.select(row, pool: 4) == [1, 4, 0, 2])
        #expect(Self.select(row, pool: 6) == [1, 4, 0, 2, 6, 5])
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

    @Test func maskedEntriesAreNeverChosen() {
        let row: [Float] = [-.infinity, 0.2, -0.7, -.infinity, -0.1]
        #expect(Self.select(row, pool: 3) == [1, 4, 2])
    }
}
