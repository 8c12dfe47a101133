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
enum CosineTopK {
    static let queryBlock = 1024
    static let rowBlock = 8192

    /// Calls `visit(query, heap)` for every query once `heap` holds its `k` (≤ rowCount) best
    /// (similarity, row index) pairs. Heaps are selected on BLAS's thread count between
    /// GEMMs, so `visit` runs concurrently for different queries and must only write memory
    /// of its own query.
    static func forEach(
        queries: UnsafePointer<Float>, queryCount: Int, rows: UnsafePointer<Float>, rowCount: Int,
        dimension: Int, k: Int, queryBlock: Int = queryBlock, rowBlock: Int = rowBlock,
        visit: (_ query: Int, _ heap: NeighbourHeap) -> Void
    ) {
        precondition(k > 0 && k <= rowCount && dimension > 0 && queryBlock > 0 && rowBlock > 0)
        guard queryCount > 0 else { return }
        let blockQueries = min(queryBlock, queryCount)
        let blockRows = min(rowBlock, rowCount)
        var similarities = [Float](repeating: 0, count: blockQueries * blockRows)   // [blockQueries, blockRows]
        var heaps = (0..<blockQueries).map { _ in NeighbourHeap(capacity: k) }
        let parts = max(1, BLAS.threads)
        similarities.withUnsafeMutableBufferPointer { simPtr in
            heaps.withUnsafeMutableBufferPointer { heapPtr in
                for queryStart in stride(from: 0, to: queryCount, by: blockQueries) {
                    let queriesHere = min(blockQueries, queryCount - queryStart)
                    for q in 0..<queriesHere { heapPtr[q].reset() }
                    for rowStart in stride(from: 0, to: rowCount, by: blockRows) {
                        let rowsHere = min(blockRows, rowCount - rowStart)
                        BLAS.gemm(transB: true, m: queriesHere, n: rowsHere, k: dimension,
                                  a: queries + queryStart * dimension, b: rows + rowStart * dimension,
                                  c: simPtr.baseAddress!)
                        ParallelRanges.forEachPart(queriesHere, parts: min(parts, queriesHere)) { _, range in
                            for q in range {
                                heapPtr[q].offer(simPtr.baseAddress! + q * rowsHere, count: rowsHere, firstIndex: rowStart)
                            }
                        }
                    }
                    ParallelRanges.forEachPart(queriesHere, parts: min(parts, queriesHere)) { _, range in
                        for q in range { visit(queryStart + q, heapPtr[q]) }
                    }
                }
            }
        }
    }
}
