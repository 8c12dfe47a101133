import Testing
@testable import SSCLEngine

struct CosineTopKTests {
    /// Every query's heap against a float64 sort of all its similarities (ties to the lower
    /// index), with blocks small enough that queries and rows each span several blocks and
    /// equal rows sit in different row tiles (row 2 == row 13 == row 21, tiles of 5).
    /// Threads: each worker owns whole query blocks (one block: OpenBLAS's threads instead).
    /// `pruning: .always` runs the pruned search on the same tiny case (rank 1 of 3, one tile).
    @Test(arguments: [(1, 1), (3, 5), (4, 8), (64, 64)], [1, 2, 3])
    func matchesASortOfEverySimilarity(blocks: (queryBlock: Int, rowBlock: Int), threads: Int) {
        matchesASortOfEverySimilarity(blocks: blocks, threads: threads, pruning: .never)
        matchesASortOfEverySimilarity(blocks: blocks, threads: threads, pruning: .always)
    }

    func matchesASortOfEverySimilarity(blocks: (queryBlock: Int, rowBlock: Int), threads: Int, pruning: CosineTopK.Pruning) {
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
                        _ = CosineTopK.forEach(queries: q.baseAddress!, queryCount: queryCount, rows: r.baseAddress!,
                                           rowCount: rowCount, dimension: dimension, k: k,
                                           queryBlock: queryBlock, rowBlock: rowBlock, threads: threads,
                                           pruning: pruning) { query, heap in
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
            #expect(found[query].map(\.1) == best.map(\.0), "query \(query), blocks \(queryBlock) x \(rowBlock), \(pruning)")
        }
        #expect(Array(found[4].prefix(3).map(\.1)) == [2, 13, 21])
    }

    /// The k best of every query, as (similarity, row) best first.
    static func search(queries: [Float], rows: [Float], dimension: Int, k: Int, threads: Int,
                       pruning: CosineTopK.Pruning) -> (found: [[(Float, Int)]], scored: Int) {
        let queryCount = queries.count / dimension, rowCount = rows.count / dimension
        var found = [[(Float, Int)]](repeating: [], count: queryCount)
        var scored = 0
        rows.withUnsafeBufferPointer { r in
            queries.withUnsafeBufferPointer { q in
                found.withUnsafeMutableBufferPointer { out in
                    scored = CosineTopK.forEach(queries: q.baseAddress!, queryCount: queryCount, rows: r.baseAddress!,
                                                rowCount: rowCount, dimension: dimension, k: k, threads: threads,
                                                pruning: pruning) { query, heap in
                        out[query] = heap.sortedBestFirst()
                    }
                }
            }
        }
        return (found, scored)
    }

    /// Pruned, on clustered data near a low-dimensional subspace (as learned representations
    /// are): the same neighbours as the plain search and as a float64 sort, while scoring well
    /// under half of the pairs in full. Two query blocks, many row tiles, rows duplicated across
    /// tiles and a query equal to a row, so ties at the top cross tiles.
    @Test(arguments: [1, 2])
    func pruningFindsTheSameNeighbours(threads: Int) {
        let d = 32, rowCount = 3000, queryCount = CosineTopK.prunedQueryBlock + 76, k = 20
        var rows = LowRankBoundsTests.rows(count: rowCount, dimension: d, latent: 3, noise: 0.05, seed: 11)
        for j in 0..<d {
            rows[2900 * d + j] = rows[7 * d + j]
            rows[1500 * d + j] = rows[7 * d + j]
        }
        var queries = LowRankBoundsTests.rows(count: queryCount, dimension: d, latent: 3, noise: 0.05, seed: 12)
        for j in 0..<d { queries[5 * d + j] = rows[7 * d + j] }
        let plain = Self.search(queries: queries, rows: rows, dimension: d, k: k, threads: threads, pruning: .never)
        let pruned = Self.search(queries: queries, rows: rows, dimension: d, k: k, threads: threads, pruning: .always)
        #expect(plain.scored == queryCount * rowCount)
        #expect(pruned.scored < queryCount * rowCount / 2, "scored \(pruned.scored) of \(queryCount * rowCount)")
        var differing = 0
        for query in 0..<queryCount where pruned.found[query].map(\.1) != plain.found[query].map(\.1) {
            // Only a tie within float32 rounding may break differently.
            differing += 1
            for (a, b) in zip(pruned.found[query], plain.found[query]) { #expect(abs(a.0 - b.0) < 1e-5) }
        }
        #expect(differing <= queryCount / 100)
        for query in stride(from: 0, to: queryCount, by: 37) {
            let similarities: [(Int, Double)] = (0..<rowCount).map { row in
                (row, (0..<d).reduce(0.0) { $0 + Double(queries[query * d + $1]) * Double(rows[row * d + $1]) })
            }
            // The k best values, in order; rows of (near-)equal similarity may swap places.
            let best = similarities.map(\.1).sorted(by: >).prefix(k)
            for (position, (_, row)) in pruned.found[query].enumerated() {
                #expect(abs(similarities[row].1 - best[best.startIndex + position]) < 1e-5, "query \(query), position \(position)")
            }
        }
        #expect(Array(pruned.found[5].prefix(3).map(\.1)) == [7, 1500, 2900])
    }

    /// Automatic pruning: only searches big enough to pay (the default Fashion-MNIST encoder's
    /// final kNN, not its evaluation sample), and only when a pilot finds the bounds tight.
    @Test func automaticPruningNeedsSizeAndTightBounds() {
        #expect(CosineTopK.isLargeEnoughToPrune(queryCount: 10_000, rowCount: 60_000, dimension: 512))
        #expect(!CosineTopK.isLargeEnoughToPrune(queryCount: 2000, rowCount: 10_000, dimension: 512))
        #expect(!CosineTopK.isLargeEnoughToPrune(queryCount: 10_000, rowCount: 60_000, dimension: 16))
        #expect(!CosineTopK.isLargeEnoughToPrune(queryCount: 8, rowCount: 10_000_000, dimension: 512))

        // Six clusters (classes) spread along two shared directions, in 64 dimensions: most
        // of the energy in a few directions, as learned representations have; and a flat cloud.
        func data(clustered: Bool, count: Int, seed: UInt64) -> [Float] {
            var rng = SeededGenerator(seed: 20)
            let centres = (0..<(8 * 64)).map { _ in Float.random(in: -1...1, using: &rng) }  // 6 centres, 2 directions
            rng = SeededGenerator(seed: seed)
            let x: [Float] = (0..<count).flatMap { _ in
                let c = Int.random(in: 0..<6, using: &rng)
                let z1 = Float.random(in: -1...1, using: &rng), z2 = Float.random(in: -1...1, using: &rng)
                return (0..<64).map { j in
                    clustered ? centres[c * 64 + j] + z1 * centres[6 * 64 + j] + z2 * centres[7 * 64 + j]
                        + Float.random(in: -0.02...0.02, using: &rng)
                        : Float.random(in: -1...1, using: &rng)
                }
            }
            return KNNClassifier.unitRows(x, dimension: 64)
        }
        func share(clustered: Bool) -> Double {
            let d = 64, n = 2000
            let rows = data(clustered: clustered, count: n, seed: 21)
            let queries = data(clustered: clustered, count: 200, seed: 22)
            let bounds = rows.withUnsafeBufferPointer {
                LowRankBounds.fit(rows: $0.baseAddress!, rowCount: n, dimension: d, rank: CosineTopK.prunedRank(dimension: d))
            }
            let table = rows.withUnsafeBufferPointer { CosineTopK.PrunedRows(rows: $0.baseAddress!, count: n, k: 20, bounds: bounds) }
            let (qc, qr) = queries.withUnsafeBufferPointer { bounds.project($0.baseAddress!, count: 200) }
            return rows.withUnsafeBufferPointer { _ in
                queries.withUnsafeBufferPointer { q in
                    CosineTopK.pilotShare(queries: q.baseAddress!, coordinates: qc, residuals: qr, queryCount: 200, table: table)
                }
            }
        }
        #expect(share(clustered: true) < CosineTopK.maximumScoredShare)
        #expect(share(clustered: false) > CosineTopK.maximumScoredShare)
    }
}
