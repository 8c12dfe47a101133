/// The k best (similarity, index) pairs of a row, kept as a binary heap whose root is the worst
/// kept pair; "worse" means lower similarity, or equal similarity and higher index. The kNN
/// classifier and the neighbour search share it: O(n log k) per row, ties to the lower index.
struct NeighbourHeap {
    let capacity: Int
    var similarity: [Float]
    var index: [Int]
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        similarity = [Float](repeating: 0, count: capacity)
        index = [Int](repeating: 0, count: capacity)
    }

    @inline(__always)
    private static func isWorse(_ sa: Float, _ ia: Int, than sb: Float, _ ib: Int) -> Bool {
        sa < sb || (sa == sb && ia > ib)
    }

    /// Empties the heap for the next row.
    mutating func reset() { count = 0 }

    /// The worst kept similarity once the heap is full, else -infinity: no pair below it can
    /// enter, so it bounds the capacity-th best similarity from below.
    var threshold: Float { count == capacity ? similarity[0] : -.infinity }

    /// Keeps the `capacity` most similar of `row[0..<count]`.
    mutating func select(from row: UnsafePointer<Float>, count rowCount: Int) {
        reset()
        offer(row, count: rowCount, firstIndex: 0)
    }

    /// Keeps the `capacity` most similar of what the heap holds and `row[0..<count]`, whose
    /// entries are indices `firstIndex...`. Offered in increasing index order (tiles left to
    /// right), a later candidate equal to the root is worse than it, so only `s > root` can enter.
    mutating func offer(_ row: UnsafePointer<Float>, count rowCount: Int, firstIndex: Int) {
        let capacity = self.capacity
        var count = self.count
        defer { self.count = count }
        similarity.withUnsafeMutableBufferPointer { sims in
            index.withUnsafeMutableBufferPointer { idx in
                for column in 0..<rowCount {
                    let s = row[column]
                    let j = firstIndex + column
                    if count < capacity {
                        var child = count
                        count += 1
                        while child > 0 {   // sift up
                            let parent = (child - 1) / 2
                            guard Self.isWorse(s, j, than: sims[parent], idx[parent]) else { break }
                            sims[child] = sims[parent]; idx[child] = idx[parent]
                            child = parent
                        }
                        sims[child] = s; idx[child] = j
                    } else if s > sims[0] {
                        var parent = 0
                        while true {   // sift down from the root
                            var worst = 2 * parent + 1
                            guard worst < capacity else { break }
                            let right = worst + 1
                            if right < capacity && Self.isWorse(sims[right], idx[right], than: sims[worst], idx[worst]) { worst = right }
                            guard Self.isWorse(sims[worst], idx[worst], than: s, j) else { break }
                            sims[parent] = sims[worst]; idx[parent] = idx[worst]
                            parent = worst
                        }
                        sims[parent] = s; idx[parent] = j
                    }
                }
            }
        }
    }

    /// Offers one pair; pairs must come in increasing index order, as in `offer(_:count:firstIndex:)`.
    mutating func offer(_ s: Float, index j: Int) {
        withUnsafePointer(to: s) { offer($0, count: 1, firstIndex: j) }
    }

    /// The kept pairs, most similar first (ties: lower index first), so votes add up in a fixed order.
    func sortedBestFirst() -> [(Float, Int)] {
        (0..<count).map { (similarity[$0], index[$0]) }
            .sorted { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    }
}
