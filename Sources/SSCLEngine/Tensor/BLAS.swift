import CBLAS
import Synchronization

/// The engine's only door to OpenBLAS: single-precision GEMM on row-major buffers and
/// explicit control of the library's thread count (never left to its defaults).
public enum BLAS {
    /// C[m, n] = alpha * op(A) * op(B) + beta * C, all row-major.
    /// op(A) is [m, k] (A stored [k, m] when `transA`), op(B) is [k, n] (B stored [n, k] when `transB`).
    @inline(__always)
    public static func gemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>
    ) {
        let lda = transA ? m : k
        let ldb = transB ? k : n
        cblas_sgemm(
            CblasRowMajor,
            transA ? CblasTrans : CblasNoTrans,
            transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(n))
    }

    /// The thread count a job asked for (0 until `setThreads` is called). Kept apart from
    /// OpenBLAS's own setting, which `singleThreaded` lowers for a while.
    private static let configuredThreads = Atomic<Int>(0)

    /// Sets the number of threads the engine computes on: OpenBLAS for every following call,
    /// and the parts that layers split their own loops into.
    public static func setThreads(_ n: Int) {
        configuredThreads.store(max(1, n), ordering: .relaxed)
        openblas_set_num_threads(Int32(max(1, n)))
    }

    /// The engine's thread count: the last `setThreads`, else OpenBLAS's default.
    public static var threads: Int {
        let configured = configuredThreads.load(ordering: .relaxed)
        return configured > 0 ? configured : Int(openblas_get_num_threads())
    }

    /// Runs `body` with OpenBLAS on one thread, for code that already splits its work over
    /// `threads` threads of its own and calls GEMM from each (OpenBLAS threads on top would
    /// oversubscribe the cores). Calls may overlap (the final evaluation fits the linear probe
    /// on one thread while the kNN runs on others): OpenBLAS goes back to `threads` threads
    /// when the last one ends.
    public static func singleThreaded<Result>(_ body: () throws -> Result) rethrows -> Result {
        singleThreadedCallers.withLock { state in
            if state.callers == 0 {
                state.restore = Int32(threads)
                openblas_set_num_threads(1)
            }
            state.callers += 1
        }
        defer {
            singleThreadedCallers.withLock { state in
                state.callers -= 1
                if state.callers == 0 { openblas_set_num_threads(state.restore) }
            }
        }
        return try body()
    }

    /// OpenBLAS's own thread count at this moment (1 inside `singleThreaded`).
    static var openBLASThreads: Int { Int(openblas_get_num_threads()) }

    /// How many `singleThreaded` bodies are running, and OpenBLAS's thread count before the first.
    private static let singleThreadedCallers = Mutex<(callers: Int, restore: Int32)>((0, 1))

    /// The kernel OpenBLAS selected for this CPU (for example "Haswell"), for provenance.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}
