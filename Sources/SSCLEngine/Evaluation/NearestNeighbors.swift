/// Exact cosine nearest neighbours by brute force: rows are L2-normalised once, and each batch
/// of queries is one GEMM against all of them, s = q̂ · r̂ᵀ, followed by a top-k selection per
/// query (ties to the lower index). Memory is rows x dimension x 4 bytes; a query costs
/// 2 x rows x dimension flops (README, "Using the encoder", says where that stops being fine).
public struct NearestNeighbors: Sendable {
    /// [count, dimension], unit rows (a zero row stays zero: similarity 0 with everything).
    public let unitRows: [Float]
    public let count: Int
    public let dimension: Int

    public struct Match: Sendable, Equatable {
        public var index: Int
        public var similarity: Float
    }

    public init(rows: [Float], dimension: Int) {
        precondition(dimension > 0 && rows.count % dimension == 0, "rows are not [_, \(dimension)]")
        unitRows = KNNClassifier.unitRows(rows, dimension: dimension)
        count = rows.count / dimension
        self.dimension = dimension
    }

    /// Bytes held.
    public var bytes: Int { unitRows.count * MemoryLayout<Float>.size }

    /// The `k` rows most similar to each query ([queries, dimension]), most similar first;
    /// `k` is clamped to the row count.
    public func search(_ queries: [Float], k: Int) -> [[Match]] {
        precondition(queries.count % dimension == 0, "queries are not [_, \(dimension)]")
        let queryCount = queries.count / dimension
        let k = min(max(k, 0), count)
        guard queryCount > 0, k > 0 else { return Array(repeating: [], count: queryCount) }
        let unitQueries = KNNClassifier.unitRows(queries, dimension: dimension)
        var out = [[Match]](repeating: [], count: queryCount)
        unitRows.withUnsafeBufferPointer { rows in
            unitQueries.withUnsafeBufferPointer { q in
                out.withUnsafeMutableBufferPointer { outPtr in
                    _ = CosineTopK.forEach(queries: q.baseAddress!, queryCount: queryCount, rows: rows.baseAddress!,
                                       rowCount: count, dimension: dimension, k: k) { query, heap in
                        outPtr[query] = heap.sortedBestFirst().map { Match(index: $0.1, similarity: $0.0) }
                    }
                }
            }
        }
        return out
    }
}
