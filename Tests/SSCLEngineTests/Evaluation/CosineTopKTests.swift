import Testing
@testable import SSCLEngine

struct CosineTopKTests {
    /// Every query's heap against a float64 sort of all its similarities (ties to the lower
    /// index), with blocks small enough that queries and rows each span several blocks and
    /// equal rows sit in different row tiles (row 2 == row 13 == row 21, tiles of 5).
    /// Threads: each worker owns whole query blocks (one block: OpenBLAS's threads instead).
    @Test(arguments: [(1, 1), (3, 5), (4, 8), (64, 64)], [1, 2, 3])
    func matchesASortOfEverySimilarity(blocks: (queryBlock: Int, rowBlock: Int), threads: Int) {
        let (queryBlock, rowBlock) = blocks
        var rng = SeededGenerator(seed: UInt64(queryBlock * 100 + rowBlock))
        let rowCount = 23, queryCount = 11, dimension = 3, k = 6
        var rows = (0..<(rowCount * dimension)).map { _ in Float.random(in: -1...1, using: &rng) }
        for j in 0..<dimension {
            rows[13 * dimension + j] = rows[2 * dimension + j]
            rows[21 * dimension + j] = rows[2 * dimension + j]
        }
        var queries = (0..<(queryCount * dimension)).map { _ in Float.random(in: -1...1, using: &rng) }
        for j in 0..<dimension { queries[4 * dimension + j] = rows[2 * dimension + j] }   // query 4 ties three rows at the top
        let unitRows = KNNClassifier.unitRows(rows, dimension: dimension)
        let unitQueries = KNNClassifier.unitRows(queries, dimension: dimension)

        var found = [[(Float, Int)]](repeating: [], count: queryCount)
        var visits = [Int](repeating: 0, count: queryCount)
        unitRows.withUnsafeBufferPointer { r in
            unitQueries.withUnsafeBufferPointer { q in
                found.withUnsafeMutableBufferPointer { out in
                    visits.withUnsafeMutableBufferPointer { seen in
                        CosineTopK.forEach(queries: q.baseAddress!, queryCount: queryCount, rows: r.baseAddress!,
                                           rowCount: rowCount, dimension: dimension, k: k,
                                           queryBlock: queryBlock, rowBlock: rowBlock, threads: threads) { query, heap in
                            out[query] = heap.sortedBestFirst()
                            seen[query] += 1
                        }
                    }
                }
            }
        }
        #expect(visits == [Int](repeating: 1, count: queryCount))
        for query in 0..<queryCount {
            let similarities: [(Int, Double)] = (0..<rowCount).map { row in
                (row, (0..<dimension).reduce(0.0) {
                    $0 + Double(unitQueries[query * dimension + $1]) * Double(unitRows[row * dimension + $1])
                })
            }
            let best = similarities.sorted { $0.1 > $1.1 + 1e-6 || (abs($0.1 - $1.1) <= 1e-6 && $0.0 < $1.0) }.prefix(k)
            #expect(found[query].map(\.1) == best.map(\.0), "query \(query), blocks \(queryBlock) x \(rowBlock)")
        }
        #expect(Array(found[4].prefix(3).map(\.1)) == [2, 13, 21])
    }
}
