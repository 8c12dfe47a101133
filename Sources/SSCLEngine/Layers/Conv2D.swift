/// 2-D convolution (cross-correlation, like `nn.Conv2d`) on [N, C, H, W] with a square
/// kernel, stride and zero padding: [N, inC, H, W] -> [N, outC, H', W'] with
/// H' = (H + 2 padding - kernel) / stride + 1 (same for W').
///
/// im2col (Chellapilla et al. 2006): the receptive fields of a whole chunk of images become
/// the columns of one matrix cols [inC * k * k, images * H'W'], so the layer is ONE large
/// GEMM, Y^T [outC, images * H'W'] = W [outC, inC k k] * cols, instead of one per image.
/// A chunk is the whole batch unless cols would exceed `maxColumnFloats`.
/// Backward: dWeight += dY^T cols^T, dCols = W^T dY^T, then col2im adds dCols back into dX.
/// Scratch buffers live in the layer and are reused across calls; the copies around the GEMMs
/// run on `BLAS.threads` threads.
public final class Conv2D: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter  // [outC, inC, kernel, kernel]
    public let bias: Parameter    // [outC]
    /// Whether a ReLU is applied in the same pass as the bias (saves a layer, a pass and an
    /// allocation over the largest activations); backward then masks dY by output > 0.
    public let fusesReLU: Bool
    /// When false, backward skips dX and returns zeros (the first layer of a network needs none).
    public var computesInputGradient = true
    /// Upper bound on the im2col scratch, in floats (128 MiB); larger batches are processed in chunks.
    public var maxColumnFloats = 1 << 25

    /// The input of the last training forward.
    private var savedInput: Tensor?          // [N, inC, H, W]
    /// The output of the last training forward, kept only for the fused ReLU's mask.
    private var savedOutput: Tensor?         // [N, outC, H', W']
    /// im2col scratch, then dCols in backward.
    private var columns: [Float] = []        // [inC * k * k, chunkImages * H'W']
    /// Y or dY with channels first.
    private var channelMajor: [Float] = []   // [outC, chunkImages * H'W']
    /// True while `columns` holds the im2col of the whole saved input (single-chunk training forward).
    private var columnsHoldSavedInput = false

    /// Creates `<name>.weight` [outC, inC, k, k] (He-uniform, decays) and `<name>.bias` [outC] (zero, no decay).
    public init(name: String, inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                fusesReLU: Bool = false, rng: inout SeededGenerator) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0 && padding >= 0,
                     "\(name): invalid convolution geometry")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.fusesReLU = fusesReLU
        let fanIn = inChannels * kernel * kernel
        weight = Parameter(
            name: "\(name).weight", shape: [outChannels, inChannels, kernel, kernel],
            value: Initialization.kaimingUniform(count: outChannels * fanIn, fanIn: fanIn, rng: &rng),
            decays: true)
        bias = Parameter(name: "\(name).bias", shape: [outChannels],
                         value: [Float](repeating: 0, count: outChannels), decays: false)
    }

    public var parameters: [Parameter] { [weight, bias] }

    /// (H', W') for an input of height × width.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1)
    }

    private func geometry(_ shape: [Int]) -> ConvolutionGeometry {
        precondition(shape.count == 4 && shape[1] == inChannels,
                     "\(weight.name): expected [N, \(inChannels), H, W], got \(shape)")
        precondition(shape[0] > 0, "\(weight.name): empty batch")
        let out = outputSize(height: shape[2], width: shape[3])
        precondition(out.height > 0 && out.width > 0, "\(weight.name): input \(shape) smaller than the kernel")
        return ConvolutionGeometry(
            channels: inChannels, height: shape[2], width: shape[3], kernel: kernel, stride: stride,
            padding: padding, outHeight: out.height, outWidth: out.width)
    }

    /// Images per GEMM so that cols stays within `maxColumnFloats`.
    private func chunkImages(batch: Int, geometry g: ConvolutionGeometry) -> Int {
        max(1, min(batch, maxColumnFloats / max(1, g.rows * g.positions)))
    }

    private func reserveScratch(images: Int, geometry g: ConvolutionGeometry) {
        let columnCount = g.rows * images * g.positions
        if columns.count < columnCount { columns = [Float](repeating: 0, count: columnCount) }
        let outputCount = outChannels * images * g.positions
        if channelMajor.count < outputCount { channelMajor = [Float](repeating: 0, count: outputCount) }
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let g = geometry(x.shape)
        let batch = x.shape[0]
        let chunk = chunkImages(batch: batch, geometry: g)
        reserveScratch(images: chunk, geometry: g)
        let (outC, positions, relu) = (outChannels, g.positions, fusesReLU)
        let y = [Float](unsafeUninitializedCapacity: batch * outC * positions) { py, initialized in
            x.data.withUnsafeBufferPointer { px in
                weight.value.withUnsafeBufferPointer { pw in
                    bias.value.withUnsafeBufferPointer { pb in
                        columns.withUnsafeMutableBufferPointer { pcols in
                            channelMajor.withUnsafeMutableBufferPointer { pcm in
                                let (x, w, b, cols, cm, y) = (px.baseAddress!, pw.baseAddress!, pb.baseAddress!,
                                                              pcols.baseAddress!, pcm.baseAddress!, py.baseAddress!)
                                for first in Swift.stride(from: 0, to: batch, by: chunk) {
                                    let images = first..<min(batch, first + chunk)
                                    let width = images.count * positions
                                    ParallelRanges.forEach(images.count) { part in
                                        g.im2col(x, chunk: images, part: part.shifted(by: first), into: cols)
                                    }
                                    // Y^T [outC, width] = W [outC, rows] * cols [rows, width]
                                    BLAS.gemm(m: outC, n: width, k: g.rows, a: w, b: cols, c: cm)
                                    // y[n, oc, :] = act(Y^T[oc, (n - first) H'W' ..< +H'W'] + bias[oc])
                                    ParallelRanges.forEach(images.count) { part in
                                        for local in part {
                                            for oc in 0..<outC {
                                                let src = cm + oc * width + local * positions
                                                let dst = y + ((first + local) * outC + oc) * positions
                                                let shift = b[oc]
                                                if relu {
                                                    for i in 0..<positions { dst[i] = max(src[i] + shift, 0) }
                                                } else {
                                                    for i in 0..<positions { dst[i] = src[i] + shift }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            initialized = batch * outC * positions
        }  // [N, outC, H'W']
        let output = Tensor(shape: [batch, outC, g.outHeight, g.outWidth], data: y)
        if training {
            savedInput = x
            savedOutput = relu ? output : nil
        }
        columnsHoldSavedInput = training && chunk >= batch
        return output
    }

    public func backward(_ dY: Tensor) -> Tensor {
        guard let x = savedInput else { preconditionFailure("\(weight.name): backward without a training forward") }
        let g = geometry(x.shape)
        let batch = x.shape[0]
        let (outC, positions) = (outChannels, g.positions)
        precondition(dY.shape == [batch, outC, g.outHeight, g.outWidth], "\(weight.name): dY shape \(dY.shape)")
        let chunk = chunkImages(batch: batch, geometry: g)
        reserveScratch(images: chunk, geometry: g)
        let reuseColumns = columnsHoldSavedInput && chunk >= batch
        let needsDX = computesInputGradient
        // The ReLU mask: where the saved output is positive (all ones without a fused ReLU).
        let mask = savedOutput ?? Tensor(zeros: [0])
        let masked = fusesReLU
        var dX = [Float](repeating: 0, count: needsDX ? x.count : 0)  // [N, inC, H, W]
        x.data.withUnsafeBufferPointer { px in
            dY.data.withUnsafeBufferPointer { pdy in
                mask.data.withUnsafeBufferPointer { pmask in
                    weight.value.withUnsafeBufferPointer { pw in
                        weight.grad.withUnsafeMutableBufferPointer { pdw in
                            bias.grad.withUnsafeMutableBufferPointer { pdb in
                                columns.withUnsafeMutableBufferPointer { pcols in
                                    channelMajor.withUnsafeMutableBufferPointer { pcm in
                                        dX.withUnsafeMutableBufferPointer { pdx in
                                            let (x, dy, w, cols, cm) = (px.baseAddress!, pdy.baseAddress!, pw.baseAddress!,
                                                                        pcols.baseAddress!, pcm.baseAddress!)
                                            let (dWeight, dBias) = (pdw.baseAddress!, pdb.baseAddress!)
                                            for first in Swift.stride(from: 0, to: batch, by: chunk) {
                                                let images = first..<min(batch, first + chunk)
                                                let width = images.count * positions
                                                if !reuseColumns {
                                                    ParallelRanges.forEach(images.count) { part in
                                                        g.im2col(x, chunk: images, part: part.shifted(by: first), into: cols)
                                                    }
                                                }
                                                // dY^T [outC, width] from dY [N, outC, H'W'] (times the ReLU mask).
                                                ParallelRanges.forEach(images.count) { part in
                                                    for local in part {
                                                        for oc in 0..<outC {
                                                            let offset = ((first + local) * outC + oc) * positions
                                                            let src = dy + offset
                                                            let dst = cm + oc * width + local * positions
                                                            if masked {
                                                                ReLU.backward(src, output: pmask.baseAddress! + offset,
                                                                              into: dst, count: positions)
                                                            } else {
                                                                dst.update(from: src, count: positions)
                                                            }
                                                        }
                                                    }
                                                }
                                                // dBias[oc] += sum of row oc of dY^T
                                                ParallelRanges.forEach(outC) { channels in
                                                    for oc in channels { dBias[oc] += rowSum(cm + oc * width, count: width) }
                                                }
                                                // dWeight [outC, rows] += dY^T [outC, width] * cols^T [width, rows]
                                                BLAS.gemm(transB: true, m: outC, n: g.rows, k: width,
                                                          a: cm, b: cols, beta: 1, c: dWeight)
                                                guard needsDX else { continue }
                                                // dCols [rows, width] = W^T [rows, outC] * dY^T [outC, width], over cols.
                                                BLAS.gemm(transA: true, m: g.rows, n: width, k: outC, a: w, b: cm, c: cols)
                                                let dx = pdx.baseAddress!
                                                ParallelRanges.forEach(images.count) { part in
                                                    g.col2im(cols, chunk: images, part: part.shifted(by: first), into: dx)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // cols now hold dCols (they stay valid only if dX was skipped).
        columnsHoldSavedInput = columnsHoldSavedInput && !needsDX
        return needsDX ? Tensor(shape: x.shape, data: dX) : Tensor(zeros: x.shape)
    }
}

extension Range<Int> {
    /// The same range moved by `offset`.
    fileprivate func shifted(by offset: Int) -> Range<Int> {
        (lowerBound + offset)..<(upperBound + offset)
    }
}

/// The sum of `count` floats with eight independent SIMD accumulators (a plain loop is one
/// serial dependency chain, which the compiler may not reorder for floats).
private func rowSum(_ p: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    let raw = UnsafeRawPointer(p)
    let stride = MemoryLayout<SIMD8<Float>>.stride
    var i = 0
    while i + 32 <= count {
        lanes.0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        lanes.1 += raw.loadUnaligned(fromByteOffset: i * 4 + stride, as: SIMD8<Float>.self)
        lanes.2 += raw.loadUnaligned(fromByteOffset: i * 4 + 2 * stride, as: SIMD8<Float>.self)
        lanes.3 += raw.loadUnaligned(fromByteOffset: i * 4 + 3 * stride, as: SIMD8<Float>.self)
        i += 32
    }
    var total = ((lanes.0 + lanes.1) + (lanes.2 + lanes.3)).sum()
    while i < count {
        total += p[i]
        i += 1
    }
    return total
}
