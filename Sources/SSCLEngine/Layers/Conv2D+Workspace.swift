extension Conv2D {
    /// One worker's scratch: its im2col columns and the GEMM output with channels first.
    /// Reused across calls; while a layer call runs, only the worker that owns it touches it.
    final class Workspace {
        private let columnBuffer = ScratchBuffer<Float>(0)  // [rows, chunk * H'W'], dCols in backward
        private let outputBuffer = ScratchBuffer<Float>(0)  // [outC, chunk * H'W'], Y^T or dY^T

        var columns: UnsafeMutablePointer<Float> { columnBuffer.base }
        var channelMajor: UnsafeMutablePointer<Float> { outputBuffer.base }

        /// Makes `columns` and `channelMajor` hold at least this many floats.
        func reserve(columns: Int, outputs: Int) {
            columnBuffer.reserve(columns)
            outputBuffer.reserve(outputs)
        }
    }
}
