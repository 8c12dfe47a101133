/// The index arithmetic of a 2-D convolution, shared by im2col and col2im so the two
/// stay exact mirrors of each other.
///
/// Row r = (c * k + ki) * k + kj of the column matrix holds, for every image of a chunk
/// and every output position (oy, ox), the input value x[n, c, oy s - p + ki, ox s - p + kj]
/// (zero where that falls in the padding).
struct ConvolutionGeometry {
    let channels: Int
    let height: Int
    let width: Int
    let kernel: Int
    let stride: Int
    let padding: Int
    let outHeight: Int
    let outWidth: Int

    /// inC * k * k: rows of the column matrix.
    var rows: Int { channels * kernel * kernel }
    /// H' * W': output positions per image.
    var positions: Int { outHeight * outWidth }

    /// The output columns ox whose input column ox s - p + kj lies inside [0, W).
    @inline(__always)
    private func validColumns(kj: Int) -> Range<Int> {
        let offset = kj - padding  // ix = ox * stride + offset
        let low = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let lastInput = width - 1 - offset
        let high = lastInput < 0 ? 0 : min(outWidth, lastInput / stride + 1)
        return low..<max(low, high)
    }

    /// cols [rows, chunk.count * H'W'] from x [N, C, H, W], filling the columns of the images
    /// in `part` (a subrange of `chunk`; the whole chunk by default).
    func im2col(_ x: UnsafePointer<Float>, chunk: Range<Int>, part: Range<Int>? = nil,
                into cols: UnsafeMutablePointer<Float>) {
        let rowLength = chunk.count * positions
        for n in part ?? chunk {
            let local = n - chunk.lowerBound
            for c in 0..<channels {
                let plane = x + (n * channels + c) * height * width
                for ki in 0..<kernel {
                    for kj in 0..<kernel {
                        let row = (c * kernel + ki) * kernel + kj
                        let dst = cols + row * rowLength + local * positions
                        let valid = validColumns(kj: kj)
                        let offset = kj - padding
                        for oy in 0..<outHeight {
                            let out = dst + oy * outWidth
                            let iy = oy * stride - padding + ki
                            guard iy >= 0 && iy < height else {
                                out.update(repeating: 0, count: outWidth)
                                continue
                            }
                            let src = plane + iy * width  // input row iy; ix = ox * stride + offset
                            out.update(repeating: 0, count: valid.lowerBound)
                            if stride == 1 {
                                (out + valid.lowerBound).update(from: src + valid.lowerBound + offset, count: valid.count)
                            } else {
                                for ox in valid { out[ox] = src[ox * stride + offset] }
                            }
                            (out + valid.upperBound).update(repeating: 0, count: outWidth - valid.upperBound)
                        }
                    }
                }
            }
        }
    }

    /// dX [N, C, H, W] += col2im(dCols [rows, chunk.count * H'W']) for the images in `part`:
    /// every column entry goes back to the input pixel it was copied from; padding entries are dropped.
    func col2im(_ cols: UnsafePointer<Float>, chunk: Range<Int>, part: Range<Int>? = nil,
                into dX: UnsafeMutablePointer<Float>) {
        let rowLength = chunk.count * positions
        for n in part ?? chunk {
            let local = n - chunk.lowerBound
            for c in 0..<channels {
                let plane = dX + (n * channels + c) * height * width
                for ki in 0..<kernel {
                    for kj in 0..<kernel {
                        let row = (c * kernel + ki) * kernel + kj
                        let src = cols + row * rowLength + local * positions
                        let valid = validColumns(kj: kj)
                        let offset = kj - padding
                        for oy in 0..<outHeight {
                            let iy = oy * stride - padding + ki
                            guard iy >= 0 && iy < height else { continue }
                            let from = src + oy * outWidth
                            let to = plane + iy * width  // input row iy; ix = ox * stride + offset
                            for ox in valid { to[ox * stride + offset] += from[ox] }
                        }
                    }
                }
            }
        }
    }
}
