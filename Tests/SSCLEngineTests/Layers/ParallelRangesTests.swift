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
}
