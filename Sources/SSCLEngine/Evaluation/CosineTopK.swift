/// The k most similar rows of a matrix for each query row, exactly, by blocked GEMMs: the kNN
/// classifier and the neighbour search share it.
///
/// Both inputs are unit rows (`unitRows`), so s = q̂ · r̂ᵀ is the cosine. Queries go
/// `queryBlock` at a time; within a block, the rows go `rowBlock` at a time, one GEMM
/// [queryBlock, dimension] x [dimension, rowBlock] each, and every query's `NeighbourHeap`
/// takes that tile's similarities before the next tile overwrites them.
///
/// Why blocks of both: tiling the rows bounds the similarity buffer (1024 x 8192 floats, 32 MB)
/// whatever the row count, where a [queries, rows] buffer grows with the data (256 x 1,000,000
/// floats is 1 GB); and OpenBLAS packs the right-hand matrix on every call, which more queries
/// per call amortise. Measured on Fashion-MNIST's final kNN (10,000 x 60,000 x 512, 2 threads,
/// one run each on a noisy machine): 256 queries x all rows 4.92 s, 1024 x 8192 4.51 s,
/// 1024 x 2048 4.65 s, 512 x 4096 4.78 s, 2048 x 2048 4.69 s; the GEMM alone is about 3.6 s.
///
/// Threads: query blocks go to `threads` workers, each running its own single-threaded GEMM
/// and its own heaps, rather than one GEMM on all threads followed by a selection on all
/// threads: there is no barrier between the two, so one worker selects while another
/// multiplies, and OpenBLAS's threads never spin waiting. A query's heap sees the same tiles
/// in the same order either way, so the result does not depend on the thread count.
///
/// Large searches on representations with a few dominant directions skip most of the work
/// instead, still exactly: see `CosineTopK+Pruned`.
enum CosineTopK {
    static let queryBlock = 1024
    static let rowBlock = 8192

    /// Whether to rule rows out by low-rank bounds before scoring them (`CosineTopK+Pruned`).
    enum Pruning: Sendable {
        /// When the search is large enough to pay for the bounds and a pilot shows they prune.
        case automatic
        case always
        case never
    }

    /// Calls `visit(query, heap)` for every query once `heap` holds its `k` (≤ rowCount) best
    /// (similarity, row index) pairs. `visit` runs concurrently for different queries and must
    /// only write memory of its own query. Returns how many (query, row) similarities were
    /// computed in full: queryCount x rowCount unless pruning ruled rows out.
    @discardableResult
    static func forEach(
        queries: UnsafePointer<Float>, queryCount: Int, rows: UnsafePointer<Float>, rowCount: Int,
        dimension: Int, k: Int, queryBlock: Int = queryBlock, rowBlock: Int = rowBlock,
        threads: Int = BLAS.threads, pruning: Pruning = .automatic,
        visit: (_ query: Int, _ heap: NeighbourHeap) -> Void
    ) -> Int {
        precondition(k > 0 && k <= rowCount && dimension > 0 && queryBlock > 0 && rowBlock > 0)
        guard queryCount > 0 else { return 0 }
        if let scored = forEachPruned(queries: queries, queryCount: queryCount, rows: rows, rowCount: rowCount,
                                      dimension: dimension, k: k, threads: threads, pruning: pruning, visit: visit) {
            return scored
        }
        let blockQueries = min(queryBlock, queryCount)
        let blockRows = min(rowBlock, rowCount)
        let blocks = (queryCount + blockQueries - 1) / blockQueries
        let workers = max(1, min(threads, blocks))
        // Per worker: one similarity tile [blockQueries, blockRows] and one heap per query of a block.
        let tiles = UnsafeMutablePointer<Float>.allocate(capacity: workers * blockQueries * blockRows)
        defer { tiles.deallocate() }
        let heapCount = workers * blockQueries
        let heaps = UnsafeMutablePointer<NeighbourHeap>.allocate(capacity: heapCount)
        for i in 0..<heapCount { (heaps + i).initialize(to: NeighbourHeap(capacity: k)) }
        defer { heaps.deinitialize(count: heapCount); heaps.deallocate() }

        // Safe because a worker touches only its own tile and heaps, and forEachItem returns
        // only when every block is done.
        nonisolated(unsafe) let visit = visit
        func run(worker: Int, block: Int) {
            let similarities = tiles + worker * blockQueries * blockRows
            let heap = heaps + worker * blockQueries
            let queryStart = block * blockQueries
            let queriesHere = min(blockQueries, queryCount - queryStart)
            for q in 0..<queriesHere { heap[q].reset() }
            for rowStart in stride(from: 0, to: rowCount, by: blockRows) {
                let rowsHere = min(blockRows, rowCount - rowStart)
                BLAS.gemm(transB: true, m: queriesHere, n: rowsHere, k: dimension,
                          a: queries + queryStart * dimension, b: rows + rowStart * dimension, c: similarities)
                for q in 0..<queriesHere {
                    heap[q].offer(similarities + q * rowsHere, count: rowsHere, firstIndex: rowStart)
                }
            }
            for q in 0..<queriesHere { visit(queryStart + q, heap[q]) }
        }
        if workers == 1 {
            // One block, or one thread: OpenBLAS's own threads split each GEMM.
            for block in 0..<blocks { run(worker: 0, block: block) }
        } else {
            BLAS.singleThreaded {
                ParallelRanges.forEachItem(blocks, workers: workers) { worker, block in run(worker: worker, block: block) }
            }
        }
        return queryCount * rowCount
    }
}
