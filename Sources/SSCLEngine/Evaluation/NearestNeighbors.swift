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

    /// Queries per GEMM: bounds the [chunk, count] similarity buffer.
    static let chunkRows = 64

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
        var out: [[Match]] = []
        out.reserveCapacity(queryCount)
        var similarities = [Float](repeating: 0, count: min(Self.chunkRows, queryCount) * count)  // [chunk, count]
        unitRows.withUnsafeBufferPointer { rows in
            unitQueries.withUnsafeBufferPointer { q in
                similarities.withUnsafeMutableBufferPointer { s in
                    for start in stride(from: 0, to: queryCount, by: Self.chunkRows) {
                        let n = min(Self.chunkRows, queryCount - start)
                        BLAS.gemm(transB: true, m: n, n: count, k: dimension,
                                  a: q.baseAddress! + start * dimension, b: rows.baseAddress!, c: s.baseAddress!)
                        for r in 0..<n { out.append(Self.top(k, of: s.baseAddress! + r * count, count: count)) }
                    }
                }
            }
        }
        return out
    }

    /// The k largest of `row[0..<count]`, most similar first (ties: lower index first).
    static func top(_ k: Int, of row: UnsafePointer<Float>, count: Int) -> [Match] {
        var heap = NeighbourHeap(capacity: k)
        heap.select(from: row, count: count)
        return heap.sortedBestFirst().map { Match(index: $0.1, similarity: $0.0) }
    }
}
