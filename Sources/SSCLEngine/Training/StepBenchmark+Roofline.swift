import Foundation

extension StepBenchmark {
    /// This machine's single-precision GEMM rate on `threads` threads, in GFLOPS: the median
    /// of several 1024^3 `cblas_sgemm` calls. A training step cannot beat its FLOPs divided by
    /// this rate, so the ratio says how close a step is to the machine's limit.
    public static func sgemmGFLOPS(threads: Int, repeats: Int = 7) -> Double {
        BLAS.setThreads(threads)
        let n = 1024
        var rng = SeededGenerator(seed: 1)
        let a = (0..<(n * n)).map { _ in rng.uniform(-1, 1) }  // [n, n]
        let b = (0..<(n * n)).map { _ in rng.uniform(-1, 1) }  // [n, n]
        var c = [Float](repeating: 0, count: n * n)            // [n, n]
        var seconds: [Double] = []
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    for i in 0..<(repeats + 1) {
                        let start = DispatchTime.now().uptimeNanoseconds
                        BLAS.gemm(m: n, n: n, k: n, a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
                        if i > 0 { seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
                    }
                }
            }
        }
        return 2 * Double(n * n * n) / seconds.sorted()[seconds.count / 2] / 1e9
    }

    /// FLOPs of one layer's GEMMs for an input of `shape` (multiply-adds count 2): forward, and
    /// backward (dWeight, plus dX unless the layer skips it). Zero for layers without GEMMs.
    static func gemmFlops(_ layer: Layer, input shape: [Int]) -> (forward: Double, backward: Double) {
        let rows = Double(shape.first ?? 0)
        if let l = layer as? Linear {
            let f = 2 * rows * Double(l.inputs * l.outputs)
            return (f, f * (l.computesInputGradient ? 2 : 1))
        }
        if let c = layer as? Conv2D, shape.count == 4 {
            let out = c.outputSize(height: shape[2], width: shape[3])
            let f = 2 * rows * Double(out.height * out.width * c.outChannels * c.inChannels * c.kernel * c.kernel)
            return (f, f * (c.computesInputGradient ? 2 : 1))
        }
        return (0, 0)
    }
}
