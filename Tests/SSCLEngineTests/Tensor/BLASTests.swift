import Dispatch
import Testing
@testable import SSCLEngine

@Suite struct BLASTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmMatchesReferenceForEveryTransposition(transA: Bool, transB: Bool) {
        var rng = SeededGenerator(seed: 7)
        let (m, n, k) = (5, 7, 3)
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
        let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        var c = [Float](repeating: 0.5, count: m * n)
        let expected = ReferenceGEMM.multiply(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: 2, a: a, b: b, beta: 0.5, c: c)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 2,
                              a: pa.baseAddress!, b: pb.baseAddress!, beta: 0.5, c: pc.baseAddress!)
                }
            }
        }
        for i in 0..<(m * n) { #expect(abs(c[i] - expected[i]) < 1e-5) }
    }

    /// The final evaluation runs the probe's `singleThreaded` beside the kNN's: OpenBLAS must
    /// stay on one thread until the last of overlapping bodies ends, then return to `threads`.
    @Test func overlappingSingleThreadedBodiesRestoreOnlyAtTheLastEnd() throws {
        BLAS.setThreads(2)
        defer { BLAS.setThreads(1) }
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let other = TrainingThread<Int>(name: "test-single-threaded") {
            BLAS.singleThreaded {
                entered.signal()
                release.wait()
                return BLAS.openBLASThreads
            }
        }
        entered.wait()
        let inside = BLAS.singleThreaded { BLAS.openBLASThreads }
        #expect(inside == 1)
        #expect(BLAS.openBLASThreads == 1, "the other body is still running")
        release.signal()
        #expect(try other.join() == 1)
        #expect(BLAS.openBLASThreads == 2)
        #expect(BLAS.threads == 2)
    }

    @Test func threadCountIsSetExplicitly() {
        BLAS.setThreads(1)
        #expect(BLAS.threads == 1)
        #expect(!BLAS.coreName.isEmpty)
    }
}
