import CBLAS

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

    /// Sets the number of threads OpenBLAS uses for every following call.
    public static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The kernel OpenBLAS selected for this CPU (for example "Haswell"), for provenance.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}
