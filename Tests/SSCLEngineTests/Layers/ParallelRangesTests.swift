import Testing
@testable import SSCLEngine

@Suite struct ParallelRangesTests {
    /// Every index is visited exactly once, whatever the thread count and the minimum length.
    @Test(arguments: [(0, 1), (1, 1), (2, 1), (7, 1), (100, 1), (100, 60)], [1, 2, 3])
    func coversEveryIndexOnce(shape: (count: Int, minimumLength: Int), threads: Int) {
        let (count, minimumLength) = shape
        var visits = [Int](repeating: 0, count: count)
        visits.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress
            ParallelRanges.forEach(count, threads: threads, minimumLength: minimumLength) { range in
                for i in range { base![i] += 1 }
            }
        }
        #expect(visits.allSatisfy { $0 == 1 })
    }

    /// Every item runs exactly once, on a worker index below the worker count.
    @Test(arguments: [0, 1, 3, 8, 100], [1, 2, 3])
    func itemsRunOnceOnTheirWorkers(count: Int, workers: Int) {
        var visits = [Int](repeating: 0, count: count)
        var workerOf = [Int](repeating: -1, count: count)
        visits.withUnsafeMutableBufferPointer { v in
            workerOf.withUnsafeMutableBufferPointer { w in
                let (visits, workerOf) = (v.baseAddress, w.baseAddress)
                ParallelRanges.forEachItem(count, workers: workers) { worker, item in
                    visits![item] += 1
                    workerOf![item] = worker
                }
            }
        }
        #expect(visits.allSatisfy { $0 == 1 })
        #expect(workerOf.allSatisfy { $0 >= 0 && $0 < max(1, min(workers, count)) })
    }

    /// Parts are contiguous, in order, and exactly `parts` of them (empty ones included).
    @Test func partsSplitTheRangeInOrder() {
        var ranges = [Range<Int>](repeating: 0..<0, count: 3)
        ranges.withUnsafeMutableBufferPointer { r in
            let base = r.baseAddress
            ParallelRanges.forEachPart(2, parts: 3) { part, range in base![part] = range }
        }
        #expect(ranges.map(\.count).reduce(0, +) == 2)
        #expect(ranges[0].lowerBound == 0 && ranges[2].upperBound == 2)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
    }
}
