/// The exact top k without most of the GEMM: rows are ruled out by low-rank bounds
/// (`LowRankBounds`) and only the rest are scored in full.
///
/// For a query q and row x (both unit), with rank-r coordinates and residual norms,
///
///     lower = (Vᵀq)·(Vᵀx) − ‖q⊥‖‖x⊥‖ − ε  ≤  q·x  ≤  (Vᵀq)·(Vᵀx) + ‖q⊥‖‖x⊥‖ + ε = upper,
///
/// ε covering float32 rounding. Any k rows' lower bounds or computed scores bound the final
/// k-th best score t from below, so a row with upper < t cannot be among the k best: it is
/// skipped. Per query, t starts as the k-th best lower bound over `seedRows` evenly spaced
/// rows; then rows go left to right in tiles, and t is the larger of that and the worst of the
/// k best scores computed so far, so it only rises. The survivors are scored by a full inner
/// product and offered in row order, so ties still go to the lower index.
///
/// Cost: the rank-r GEMM is r/d of the full one (64 of 512), plus the survivors' inner
/// products, which cost far more per pair than a GEMM's (each reads a whole row: about 200 ns
/// against 15). Measured with `sscl knn-bench` on the default Fashion-MNIST encoder's final
/// kNN (10,000 x 60,000 x 512, 2 threads): 2.2% of pairs survive, 2.05 s against 3.93 s plain,
/// the same predictions. A rank of d/4 left 1.7% and was slower (its GEMM doubles); smaller
/// query blocks or larger row tiles did not help. On the 2,000 x 10,000 evaluation sample 6%
/// survive and the plain search is as fast, hence `minimumPrunedWork`.
///
/// The scores are inner products in a different summation order from the GEMM's, so a tie
/// within float32 rounding may break differently from the unpruned search: the two agree to
/// rounding, which is all either can claim.
extension CosineTopK {
    static let prunedQueryBlock = 1024
    static let prunedRowBlock = 256
    /// ε above: float32 rounding of unit-row inner products of a few thousand dimensions is
    /// below 1e-5; the bounds are widened by a hundred times that.
    static let boundSlack: Float = 1e-3
    /// Automatic pruning starts at this many multiply-adds of the plain search (2^34, a few
    /// seconds of GEMM on one core): below it the bounds' fixed costs do not pay.
    static let minimumPrunedWork = 1 << 34
    /// Automatic pruning gives up when a pilot of `pilotQueries` queries scores more than this
    /// share of its pairs in full (bounds too loose, as for a random encoder's flat spectrum):
    /// at 200 ns a pair against the GEMM's 15, the two break even near 6%.
    static let maximumScoredShare = 0.04
    static let pilotQueries = 64

    /// The bounds' rank for a dimension: an eighth.
    static func prunedRank(dimension: Int) -> Int { max(1, dimension / 8) }

    /// Whether automatic pruning may pay for a search of this size (the pilot decides).
    /// The rows' projection costs as much as `rank` queries' plain search, hence many queries.
    static func isLargeEnoughToPrune(queryCount: Int, rowCount: Int, dimension: Int) -> Bool {
        let work = Double(queryCount) * Double(rowCount) * Double(dimension)
        return dimension >= 64 && queryCount >= 8 * prunedRank(dimension: dimension)
            && rowCount >= 2 * prunedRowBlock && work >= Double(minimumPrunedWork)
    }

    /// `forEach` by pruning, or nil when `pruning` says not to (or, automatic, when it would
    /// not pay): then the caller runs the plain search.
    static func forEachPruned(
        queries: UnsafePointer<Float>, queryCount: Int, rows: UnsafePointer<Float>, rowCount: Int,
        dimension: Int, k: Int, threads: Int, pruning: Pruning,
        visit: (_ query: Int, _ heap: NeighbourHeap) -> Void
    ) -> Int? {
        let rank = prunedRank(dimension: dimension)
        switch pruning {
        case .never: return nil
        case .always: break
        case .automatic:
            guard isLargeEnoughToPrune(queryCount: queryCount, rowCount: rowCount, dimension: dimension) else { return nil }
        }
        let bounds = LowRankBounds.fit(rows: rows, rowCount: rowCount, dimension: dimension, rank: rank)
        let table = PrunedRows(rows: rows, count: rowCount, k: k, bounds: bounds)
        let (coordinates, residuals) = bounds.project(queries, count: queryCount)
        return coordinates.withUnsafeBufferPointer { qc in
            residuals.withUnsafeBufferPointer { qr in
                if pruning == .automatic {
                    let share = pilotShare(queries: queries, coordinates: qc.baseAddress!, residuals: qr.baseAddress!,
                                           queryCount: queryCount, table: table)
                    if share > maximumScoredShare { return nil }
                }
                return search(queries: queries, coordinates: qc.baseAddress!, residuals: qr.baseAddress!,
                              queryCount: queryCount, table: table, threads: threads, visit: visit)
            }
        }
    }

    /// The rows with their rank-r coordinates and residual norms, and the seed rows: up to
    /// `seedRows` evenly spaced rows whose lower bounds give each query its first threshold.
    struct PrunedRows {
        let rows: UnsafePointer<Float>   // [count, dimension]
        let count: Int
        let dimension: Int
        let rank: Int
        let k: Int
        let coordinates: [Float]         // [count, rank]
        let residuals: [Float]           // [count]
        let seedCoordinates: [Float]     // [seedCount, rank]
        let seedResiduals: [Float]       // [seedCount]
        var seedCount: Int { seedResiduals.count }

        init(rows: UnsafePointer<Float>, count: Int, k: Int, bounds: LowRankBounds) {
            self.rows = rows
            self.count = count
            self.k = k
            dimension = bounds.dimension
            rank = bounds.rank
            let (coordinates, residuals) = bounds.project(rows, count: count)
            let seeds = (0..<min(seedRows, count)).map { $0 * count / min(seedRows, count) }
            seedCoordinates = seeds.flatMap { row in coordinates[(row * bounds.rank)..<((row + 1) * bounds.rank)] }
            seedResiduals = seeds.map { residuals[$0] }
            self.coordinates = coordinates
            self.residuals = residuals
        }
    }

    static let seedRows = 4096

    /// One worker's buffers: a similarity tile, a lower-bound row, and per query a heap of
    /// scores and one of lower bounds.
    struct PrunedScratch {
        let tile: UnsafeMutablePointer<Float>    // [prunedQueryBlock, prunedRowBlock]
        let lower: UnsafeMutablePointer<Float>   // [prunedRowBlock]
        let best: UnsafeMutablePointer<NeighbourHeap>
        let lowerBest: UnsafeMutablePointer<NeighbourHeap>

        init(k: Int) {
            tile = .allocate(capacity: prunedQueryBlock * prunedRowBlock)
            lower = .allocate(capacity: prunedRowBlock)
            best = .allocate(capacity: prunedQueryBlock)
            lowerBest = .allocate(capacity: prunedQueryBlock)
            for i in 0..<prunedQueryBlock {
                (best + i).initialize(to: NeighbourHeap(capacity: k))
                (lowerBest + i).initialize(to: NeighbourHeap(capacity: k))
            }
        }

        func deallocate() {
            tile.deallocate()
            lower.deallocate()
            best.deinitialize(count: prunedQueryBlock)
            best.deallocate()
            lowerBest.deinitialize(count: prunedQueryBlock)
            lowerBest.deallocate()
        }
    }

    /// Every query in blocks of `prunedQueryBlock`, blocks shared out to `threads` workers as
    /// in the plain search (single-threaded GEMMs). Returns the pairs scored in full.
    private static func search(
        queries: UnsafePointer<Float>, coordinates: UnsafePointer<Float>, residuals: UnsafePointer<Float>,
        queryCount: Int, table: PrunedRows, threads: Int,
        visit: (_ query: Int, _ heap: NeighbourHeap) -> Void
    ) -> Int {
        let blocks = (queryCount + prunedQueryBlock - 1) / prunedQueryBlock
        let workers = max(1, min(threads, blocks))
        let scratch = (0..<workers).map { _ in PrunedScratch(k: table.k) }
        defer { scratch.forEach { $0.deallocate() } }
        let scored = UnsafeMutablePointer<Int>.allocate(capacity: blocks)
        defer { scored.deallocate() }
        // Safe because a worker touches only its own scratch and its blocks' queries, and
        // forEachItem returns only when every block is done.
        nonisolated(unsafe) let visit = visit
        func run(worker: Int, block: Int) {
            let start = block * prunedQueryBlock
            let count = min(prunedQueryBlock, queryCount - start)
            let s = scratch[worker]
            scored[block] = searchBlock(queries: queries + start * table.dimension,
                                        coordinates: coordinates + start * table.rank,
                                        residuals: residuals + start, count: count, table: table, scratch: s)
            for q in 0..<count { visit(start + q, s.best[q]) }
        }
        if workers == 1 {
            for block in 0..<blocks { run(worker: 0, block: block) }
        } else {
            BLAS.singleThreaded {
                ParallelRanges.forEachItem(blocks, workers: workers) { worker, block in run(worker: worker, block: block) }
            }
        }
        return (0..<blocks).reduce(0) { $0 + scored[$1] }
    }

    /// The share of pairs that `pilotQueries` evenly spaced queries score in full.
    static func pilotShare(
        queries: UnsafePointer<Float>, coordinates: UnsafePointer<Float>, residuals: UnsafePointer<Float>,
        queryCount: Int, table: PrunedRows
    ) -> Double {
        let count = min(pilotQueries, queryCount)
        let d = table.dimension, r = table.rank
        var pilotRows = [Float](repeating: 0, count: count * d)
        var pilotCoordinates = [Float](repeating: 0, count: count * r)
        var pilotResiduals = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let q = i * queryCount / count
            for j in 0..<d { pilotRows[i * d + j] = queries[q * d + j] }
            for j in 0..<r { pilotCoordinates[i * r + j] = coordinates[q * r + j] }
            pilotResiduals[i] = residuals[q]
        }
        let scratch = PrunedScratch(k: table.k)
        defer { scratch.deallocate() }
        let scored = searchBlock(queries: pilotRows, coordinates: pilotCoordinates, residuals: pilotResiduals,
                                 count: count, table: table, scratch: scratch)
        return Double(scored) / (Double(count) * Double(table.count))
    }

    /// The k best of `count` (≤ prunedQueryBlock) consecutive queries into `scratch.best`.
    /// Returns the pairs scored in full.
    private static func searchBlock(
        queries: UnsafePointer<Float>, coordinates: UnsafePointer<Float>, residuals: UnsafePointer<Float>,
        count: Int, table: PrunedRows, scratch: PrunedScratch
    ) -> Int {
        table.coordinates.withUnsafeBufferPointer { rowCoordinates in
            table.residuals.withUnsafeBufferPointer { rowResiduals in
                table.seedCoordinates.withUnsafeBufferPointer { seedCoordinates in
                    table.seedResiduals.withUnsafeBufferPointer { seedResiduals in
                        searchBlock(queries: queries, coordinates: coordinates, residuals: residuals, count: count,
                                    table: table, scratch: scratch,
                                    rowCoordinates: rowCoordinates.baseAddress!, rowResiduals: rowResiduals.baseAddress!,
                                    seedCoordinates: seedCoordinates.baseAddress!, seedResiduals: seedResiduals.baseAddress!)
                    }
                }
            }
        }
    }

    private static func searchBlock(
        queries: UnsafePointer<Float>, coordinates: UnsafePointer<Float>, residuals: UnsafePointer<Float>,
        count: Int, table: PrunedRows, scratch: PrunedScratch,
        rowCoordinates: UnsafePointer<Float>, rowResiduals allRowResiduals: UnsafePointer<Float>,
        seedCoordinates: UnsafePointer<Float>, seedResiduals allSeedResiduals: UnsafePointer<Float>
    ) -> Int {
        let d = table.dimension
        let slack = SIMD8<Float>(repeating: boundSlack)
        var scored = 0
        for q in 0..<count {
            scratch.best[q].reset()
            scratch.lowerBest[q].reset()
        }
        // A first threshold per query: the k-th best lower bound over the seed rows.
        forEachTile(of: seedCoordinates, count: table.seedCount, rank: table.rank,
                    queries: coordinates, queryCount: count, into: scratch.tile) { seedStart, seedsHere in
            let seedResiduals = allSeedResiduals + seedStart
            for q in 0..<count {
                let products = scratch.tile + q * seedsHere
                let reach = SIMD8<Float>(repeating: residuals[q])
                var j = 0
                while j < seedsHere {
                    let lanes = min(8, seedsHere - j)
                    let p = VectorMath.load(products + j, count: lanes, padding: 0)
                    let r = VectorMath.load(seedResiduals + j, count: lanes, padding: 0)
                    VectorMath.store(p - reach * r - slack, to: scratch.lower + j, count: lanes)
                    j += 8
                }
                scratch.lowerBest[q].offer(scratch.lower, count: seedsHere, firstIndex: seedStart)
            }
        }
        // Then every row, left to right.
        forEachTile(of: rowCoordinates, count: table.count, rank: table.rank,
                    queries: coordinates, queryCount: count, into: scratch.tile) { rowStart, rowsHere in
            let rowResiduals = allRowResiduals + rowStart
            for q in 0..<count {
                let products = scratch.tile + q * rowsHere
                let reach = SIMD8<Float>(repeating: residuals[q])
                let query = queries + q * d
                var threshold = max(scratch.best[q].threshold, scratch.lowerBest[q].threshold)
                // Sixteen rows at a time: upper − threshold, and one test of the sixteen sign
                // bits ANDed together (SIMD comparisons compile to a lane-by-lane loop here).
                var j = 0
                while j < rowsHere {
                    let lanes = min(16, rowsHere - j)
                    if lanes == 16 {
                        let t = SIMD8<Float>(repeating: threshold)
                        let low = UnsafeRawPointer(products + j).loadUnaligned(as: SIMD8<Float>.self)
                            + reach * UnsafeRawPointer(rowResiduals + j).loadUnaligned(as: SIMD8<Float>.self) + slack - t
                        let high = UnsafeRawPointer(products + j + 8).loadUnaligned(as: SIMD8<Float>.self)
                            + reach * UnsafeRawPointer(rowResiduals + j + 8).loadUnaligned(as: SIMD8<Float>.self) + slack - t
                        let signs = unsafeBitCast(low, to: SIMD8<UInt32>.self) & unsafeBitCast(high, to: SIMD8<UInt32>.self)
                        let four = signs.lowHalf & signs.highHalf
                        let two = four.lowHalf & four.highHalf
                        if (two[0] & two[1]) & 0x8000_0000 != 0 { j += 16; continue }   // all sixteen below
                    }
                    for lane in 0..<lanes where products[j + lane] + residuals[q] * rowResiduals[j + lane] + boundSlack >= threshold {
                        let row = rowStart + j + lane
                        scratch.best[q].offer(VectorMath.dot(query, table.rows + row * d, count: d), index: row)
                        scored += 1
                        threshold = max(threshold, scratch.best[q].threshold)
                    }
                    j += lanes
                }
            }
        }
        return scored
    }

    /// Tiles of `prunedRowBlock` rows, left to right: puts the rank-r inner products of the
    /// block's queries with the tile's rows, [queryCount, here], in `tile`, then calls
    /// `body(start, here)`. `rows` are coordinates [count, rank], `queries` [queryCount, rank].
    @inline(__always)
    private static func forEachTile(
        of rows: UnsafePointer<Float>, count: Int, rank: Int, queries: UnsafePointer<Float>, queryCount: Int,
        into tile: UnsafeMutablePointer<Float>, _ body: (_ start: Int, _ here: Int) -> Void
    ) {
        for start in stride(from: 0, to: count, by: prunedRowBlock) {
            let here = min(prunedRowBlock, count - start)
            BLAS.gemm(transB: true, m: queryCount, n: here, k: rank, a: queries, b: rows + start * rank, c: tile)
            body(start, here)
        }
    }
}
