extension Conv2D {
    /// One thread part's scratch: its im2col columns and the GEMM output with channels first.
    /// Reused across calls; while a layer call runs, only the part that owns it touches it.
    final class Workspace {
        let columnBuffer = GrowableBuffer()  // [rows, chunk * H'W'], dCols in backward
        let outputBuffer = GrowableBuffer()  // [outC, chunk * H'W'], Y^T or dY^T

        var columns: UnsafeMutablePointer<Float> { columnBuffer.base }
        var channelMajor: UnsafeMutablePointer<Float> { outputBuffer.base }

        /// Makes `columns` and `channelMajor` hold at least this many floats.
        func reserve(columns: Int, outputs: Int) {
            columnBuffer.reserve(columns)
            outputBuffer.reserve(outputs)
        }
    }

    /// Uninitialised floats that only grow (contents are lost when they do).
    final class GrowableBuffer {
        private(set) var base = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        private var capacity = 1

        /// Makes the buffer hold at least `count` floats and returns its start.
        @discardableResult
        func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
            if count > capacity {
                base.deallocate()
                base = .allocate(capacity: count)
                capacity = count
            }
            return base
        }

        deinit { base.deallocate() }
    }
}
