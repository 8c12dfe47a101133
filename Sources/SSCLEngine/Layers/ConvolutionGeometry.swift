/// The index arithmetic of a 2-D convolution, shared by im2col and col2im so the two
/// stay exact mirrors of each other.
///
/// Row r = (c * k + ki) * k + kj of the column matrix holds, for every image of a chunk
/// and every output position (oy, ox), the input value x[n, c, oy s - p + ki, ox s - p + kj]
/// (zero where that falls in the padding).
///
/// Why phase planes: with stride s, row r of cols is a strided gather from the input plane.
/// Splitting the plane first into its s x s phases, phase (ry, rx)[jy, jx] = x[ry + s jy, rx + s jx],
/// turns it into a shifted window of one phase: x[oy s + ki - p, ox s + kj - p] is
/// phase(ry, rx)[oy + qy, ox + qx] with ki - p = ry + s qy and kj - p = rx + s qx. When a
/// phase row is exactly W' long (always so for k = 3, p = 1), the whole row of cols is one
/// contiguous copy, with the few padding columns zeroed afterwards.
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

    /// ceil(H / s) x ceil(W / s): the size of one phase plane.
    private var phaseHeight: Int { (height + stride - 1) / stride }
    private var phaseWidth: Int { (width + stride - 1) / stride }
    /// Floats around the phase planes that shifted block copies may touch (never used values).
    private var margin: Int { kernel + padding + 1 }
    /// Floats of the phase-plane scratch for one input plane: s^2 phase planes plus margins.
    private var phasedCount: Int { stride * stride * phaseHeight * phaseWidth + 2 * margin }

    /// Output indices o whose input index o s - p + k lies inside [0, size), for an output
    /// axis of `outSize` (the valid columns for kj, or the valid rows for ki).
    private func validOutputs(k: Int, size: Int, outSize: Int) -> Range<Int> {
        let offset = k - padding  // input = o * stride + offset
        let low = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let lastInput = size - 1 - offset
        let high = lastInput < 0 ? 0 : min(outSize, lastInput / stride + 1)
        return low..<max(low, high)
    }

    /// Where kernel offset k reads: input o s + k - p is element o + shift of phase `phase`.
    private func phase(k: Int) -> (phase: Int, shift: Int) {
        let offset = k - padding
        let shift = offset >= 0 ? offset / stride : -((-offset + stride - 1) / stride)
        return (offset - shift * stride, shift)
    }

    /// For one kernel tap (ki, kj): the valid output rows and columns, and where output
    /// (oy, ox) reads in the phased scratch: at `start + oy * phaseWidth + ox`.
    private struct Tap {
        let rows: Range<Int>
        let columns: Range<Int>
        let start: Int
    }

    /// The k^2 taps in row order of cols, computed once per call (they hold divisions).
    private func taps() -> [Tap] {
        let (phaseHeight, phaseWidth) = (phaseHeight, phaseWidth)
        var taps: [Tap] = []
        taps.reserveCapacity(kernel * kernel)
        for ki in 0..<kernel {
            let rows = validOutputs(k: ki, size: height, outSize: outHeight)
            let (ry, qy) = phase(k: ki)
            for kj in 0..<kernel {
                let (rx, qx) = phase(k: kj)
                let plane = margin + (ry * stride + rx) * phaseHeight * phaseWidth
                taps.append(Tap(rows: rows, columns: validOutputs(k: kj, size: width, outSize: outWidth),
                                start: plane + qy * phaseWidth + qx))
            }
        }
        return taps
    }

    /// Copies plane [H, W] into its phase planes: phased[margin + ((ry s + rx) H_s + jy) W_s + jx]
    /// = plane[ry + s jy, rx + s jx] (zero past the plane's edge when s does not divide H or W).
    private func splitPhases(_ plane: UnsafePointer<Float>, into phased: UnsafeMutablePointer<Float>) {
        let (phaseHeight, phaseWidth) = (phaseHeight, phaseWidth)
        if stride == 1 {
            (phased + margin).update(from: plane, count: height * width)
            return
        }
        if stride == 2 && width % 2 == 0 && height % 2 == 0 {
            splitPairs(plane, into: phased + margin)
            return
        }
        for ry in 0..<stride {
            for rx in 0..<stride {
                let base = phased + margin + (ry * stride + rx) * phaseHeight * phaseWidth
                for jy in 0..<phaseHeight {
                    let out = base + jy * phaseWidth
                    let iy = ry + stride * jy
                    guard iy < height else {
                        out.update(repeating: 0, count: phaseWidth)
                        continue
                    }
                    let row = plane + iy * width
                    for jx in 0..<phaseWidth {
                        let ix = rx + stride * jx
                        out[jx] = ix < width ? row[ix] : 0
                    }
                }
            }
        }
    }

    /// The inverse of `splitPhases`: plane[ry + s jy, rx + s jx] = phased[...], every pixel written.
    private func joinPhases(_ phased: UnsafePointer<Float>, into plane: UnsafeMutablePointer<Float>) {
        let (phaseHeight, phaseWidth) = (phaseHeight, phaseWidth)
        if stride == 1 {
            plane.update(from: phased + margin, count: height * width)
            return
        }
        if stride == 2 && width % 2 == 0 && height % 2 == 0 {
            joinPairs(phased + margin, into: plane)
            return
        }
        for ry in 0..<stride {
            for rx in 0..<stride {
                let base = phased + margin + (ry * stride + rx) * phaseHeight * phaseWidth
                for jy in 0..<phaseHeight where ry + stride * jy < height {
                    let row = plane + (ry + stride * jy) * width
                    let src = base + jy * phaseWidth
                    for jx in 0..<phaseWidth where rx + stride * jx < width {
                        row[rx + stride * jx] = src[jx]
                    }
                }
            }
        }
    }

    /// `splitPhases` for stride 2 and even H, W (the common case): each input row is read
    /// once, 16 floats at a time, and its even and odd lanes go to the two phases of its row parity.
    private func splitPairs(_ plane: UnsafePointer<Float>, into phases: UnsafeMutablePointer<Float>) {
        let half = width / 2, planeSize = phaseHeight * phaseWidth
        let raw = UnsafeRawPointer(plane)
        for iy in 0..<height {
            let row = plane + iy * width
            let even = phases + (iy & 1) * 2 * planeSize + (iy >> 1) * half  // phase (iy mod 2, 0)
            let odd = even + planeSize                                        // phase (iy mod 2, 1)
            var j = 0
            while j + 8 <= half {
                let v = raw.loadUnaligned(fromByteOffset: (iy * width + 2 * j) * 4, as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(even + j).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(odd + j).storeBytes(of: v.oddHalf, as: SIMD8<Float>.self)
                j += 8
            }
            while j < half {
                even[j] = row[2 * j]
                odd[j] = row[2 * j + 1]
                j += 1
            }
        }
    }

    /// The inverse of `splitPairs`.
    private func joinPairs(_ phases: UnsafePointer<Float>, into plane: UnsafeMutablePointer<Float>) {
        let half = width / 2, planeSize = phaseHeight * phaseWidth
        for iy in 0..<height {
            let row = plane + iy * width
            let even = phases + (iy & 1) * 2 * planeSize + (iy >> 1) * half
            let odd = even + planeSize
            var j = 0
            while j + 8 <= half {
                let e = UnsafeRawPointer(even + j).loadUnaligned(as: SIMD8<Float>.self)
                let o = UnsafeRawPointer(odd + j).loadUnaligned(as: SIMD8<Float>.self)
                var v = SIMD16<Float>()
                v.evenHalf = e
                v.oddHalf = o
                UnsafeMutableRawPointer(row + 2 * j).storeBytes(of: v, as: SIMD16<Float>.self)
                j += 8
            }
            while j < half {
                row[2 * j] = even[j]
                row[2 * j + 1] = odd[j]
                j += 1
            }
        }
    }

    /// cols [rows, chunk.count * H'W'] from the images `chunk` of x [N, C, H, W].
    func im2col(_ x: UnsafePointer<Float>, chunk: Range<Int>, into cols: UnsafeMutablePointer<Float>) {
        let rowLength = chunk.count * positions
        let (phaseWidth, outWidth, positions) = (phaseWidth, outWidth, positions)
        let taps = taps()
        let contiguous = phaseWidth == outWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: phasedCount) { buffer in
            let phased = buffer.baseAddress!
            phased.initialize(repeating: 0, count: phasedCount)
            for n in chunk {
                let local = n - chunk.lowerBound
                for c in 0..<channels {
                    splitPhases(x + (n * channels + c) * height * width, into: phased)
                    for (t, tap) in taps.enumerated() {
                        let dst = cols + (c * taps.count + t) * rowLength + local * positions
                        let (rows, columns) = (tap.rows, tap.columns)
                        // Output rows whose input row is padding are all zero.
                        dst.update(repeating: 0, count: rows.lowerBound * outWidth)
                        (dst + rows.upperBound * outWidth).update(repeating: 0, count: positions - rows.upperBound * outWidth)
                        guard !rows.isEmpty else { continue }
                        if contiguous {
                            // One copy of the window, then zeros over the padding columns.
                            (dst + rows.lowerBound * outWidth).update(
                                from: phased + tap.start + rows.lowerBound * phaseWidth, count: rows.count * outWidth)
                            if columns.count < outWidth {
                                for oy in rows {
                                    let out = dst + oy * outWidth
                                    for ox in 0..<columns.lowerBound { out[ox] = 0 }
                                    for ox in columns.upperBound..<outWidth { out[ox] = 0 }
                                }
                            }
                        } else {
                            for oy in rows {
                                let out = dst + oy * outWidth
                                let src = phased + tap.start + oy * phaseWidth
                                for ox in 0..<outWidth { out[ox] = columns.contains(ox) ? src[ox] : 0 }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dX [N, C, H, W] = col2im(dCols [rows, chunk.count * H'W']) for the images `chunk`:
    /// every column entry is added to the input pixel it was copied from and padding entries
    /// are dropped (zeroed in dCols, which is scratch). The images' planes are overwritten,
    /// so dX needs no zeroing first.
    func col2im(_ cols: UnsafeMutablePointer<Float>, chunk: Range<Int>, into dX: UnsafeMutablePointer<Float>) {
        let rowLength = chunk.count * positions
        let (phaseWidth, outWidth, positions) = (phaseWidth, outWidth, positions)
        let taps = taps()
        let contiguous = phaseWidth == outWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: phasedCount) { buffer in
            let phased = buffer.baseAddress!
            for n in chunk {
                let local = n - chunk.lowerBound
                for c in 0..<channels {
                    phased.initialize(repeating: 0, count: phasedCount)
                    for (t, tap) in taps.enumerated() {
                        let src = cols + (c * taps.count + t) * rowLength + local * positions
                        let (rows, columns) = (tap.rows, tap.columns)
                        guard !rows.isEmpty else { continue }
                        if contiguous {
                            if columns.count < outWidth {
                                for oy in rows {
                                    let from = src + oy * outWidth
                                    for ox in 0..<columns.lowerBound { from[ox] = 0 }
                                    for ox in columns.upperBound..<outWidth { from[ox] = 0 }
                                }
                            }
                            let to = phased + tap.start + rows.lowerBound * phaseWidth
                            let from = src + rows.lowerBound * outWidth
                            for i in 0..<(rows.count * outWidth) { to[i] += from[i] }
                        } else {
                            for oy in rows {
                                let from = src + oy * outWidth
                                let to = phased + tap.start + oy * phaseWidth
                                for ox in columns { to[ox] += from[ox] }
                            }
                        }
                    }
                    joinPhases(phased, into: dX + (n * channels + c) * height * width)
                }
            }
        }
    }
}
