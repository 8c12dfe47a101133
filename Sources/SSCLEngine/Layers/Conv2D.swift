/// 2-D convolution (cross-correlation, like `nn.Conv2d`) on [N, C, H, W] with a square
/// kernel, stride and zero padding: [N, inC, H, W] -> [N, outC, H', W'] with
/// H' = (H + 2 padding - kernel) / stride + 1 (same for W').
///
/// im2col (Chellapilla et al. 2006): the receptive fields of a chunk of images become the
/// columns of cols [inC * k * k, images * H'W'], so the chunk is one GEMM,
/// Y^T [outC, images * H'W'] = W [outC, inC k k] * cols.
/// Backward: dWeight += dY^T cols^T, dCols = W^T dY^T, then col2im adds dCols back into dX.
///
/// Why chunks and not the whole batch in one GEMM: a chunk's cols fit in the core's L2
/// cache (`maxChunkFloats`), so im2col, the GEMM and the copies after it never go to
/// memory; one batch-wide cols (115 MB for the benchmark's second layer) made the layer
/// memory-bound at a third of the GEMM rate.
///
/// Threads: the batch is cut into `gradientGroups` contiguous groups, taken in turn by
/// `BLAS.threads` workers that each run single-threaded GEMMs on their own scratch. Each group
/// sums its own partial dWeight, and the groups are added in order afterwards, so the
/// gradients are bitwise the same whatever the thread count (a resumed job may run on
/// another number of threads).
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
    /// Worker threads for one call; nil follows `BLAS.threads` (tests set it to avoid global state).
    var threads: Int?
    /// Upper bound on one thread's scratch per chunk, cols plus the GEMM output, in floats
    /// (1 MiB, about an L2 cache); a chunk holds as many images as fit, and at least one.
    public var maxChunkFloats = 1 << 18

    /// The input of the last training forward.
    private var savedInput: Tensor?          // [N, inC, H, W]
    /// The output of the last training forward, kept only for the fused ReLU's mask.
    private var savedOutput: Tensor?         // [N, outC, H', W']
    /// One per thread part, reused across calls.
    private var workspaces: [Workspace] = []
    /// Contiguous groups of images whose weight gradients are summed separately.
    static let gradientGroups = 8
    /// Each group's partial gradients.
    private let groupWeightGradients = ScratchBuffer<Float>(0)  // [groups, outC * rows]
    private let groupBiasGradients = ScratchBuffer<Float>(0)    // [groups, outC]

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

    /// Runs `body(workspace, group, images, firstOfGroup)` on chunks of images whose scratch
    /// fits `maxChunkFloats`. Each group's chunks run in order on one thread; `BLAS.threads`
    /// workers take the groups in turn, each with its own workspace.
    private func forEachChunk(
        batch: Int, geometry g: ConvolutionGeometry,
        _ body: (_ workspace: Workspace, _ group: Int, _ images: Range<Int>, _ firstOfGroup: Bool) -> Void
    ) {
        let groups = min(Self.gradientGroups, batch)
        let workers = min(threads ?? BLAS.threads, groups)
        let chunk = max(1, min(batch, maxChunkFloats / max(1, (g.rows + outChannels) * g.positions)))
        while workspaces.count < workers { workspaces.append(Workspace()) }
        let used = Array(workspaces.prefix(workers))
        for workspace in used {
            workspace.reserve(columns: g.rows * chunk * g.positions, outputs: outChannels * chunk * g.positions)
        }
        // Each worker's GEMMs run on one OpenBLAS thread: the workers are the parallelism.
        BLAS.singleThreaded {
            ParallelRanges.forEachItem(groups, workers: workers) { worker, group in
                let images = (batch * group / groups)..<(batch * (group + 1) / groups)
                for first in Swift.stride(from: images.lowerBound, to: images.upperBound, by: chunk) {
                    body(used[worker], group, first..<min(images.upperBound, first + chunk), first == images.lowerBound)
                }
            }
        }
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let g = geometry(x.shape)
        let batch = x.shape[0]
        let (outC, positions, relu) = (outChannels, g.positions, fusesReLU)
        let y = [Float](unsafeUninitializedCapacity: batch * outC * positions) { py, initialized in
            x.data.withUnsafeBufferPointer { px in
                weight.value.withUnsafeBufferPointer { pw in
                    bias.value.withUnsafeBufferPointer { pb in
                        let (x, w, b, y) = (px.baseAddress!, pw.baseAddress!, pb.baseAddress!, py.baseAddress!)
                        forEachChunk(batch: batch, geometry: g) { workspace, _, images, _ in
                            let width = images.count * positions
                            let (cols, cm) = (workspace.columns, workspace.channelMajor)
                            g.im2col(x, chunk: images, into: cols)
                            // Y^T [outC, width] = W [outC, rows] * cols [rows, width]
                            BLAS.gemm(m: outC, n: width, k: g.rows, a: w, b: cols, c: cm)
                            // y[n, oc, :] = act(Y^T[oc, (n - first) H'W' ..< +H'W'] + bias[oc])
                            for local in 0..<images.count {
                                for oc in 0..<outC {
                                    let src = cm + oc * width + local * positions
                                    let dst = y + ((images.lowerBound + local) * outC + oc) * positions
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
            initialized = batch * outC * positions
        }  // [N, outC, H'W']
        let output = Tensor(shape: [batch, outC, g.outHeight, g.outWidth], data: y)
        if training {
            savedInput = x
            savedOutput = relu ? output : nil
        }
        return output
    }

    public func backward(_ dY: Tensor) -> Tensor {
        guard let x = savedInput else { preconditionFailure("\(weight.name): backward without a training forward") }
        let g = geometry(x.shape)
        let batch = x.shape[0]
        let (outC, positions) = (outChannels, g.positions)
        precondition(dY.shape == [batch, outC, g.outHeight, g.outWidth], "\(weight.name): dY shape \(dY.shape)")
        let needsDX = computesInputGradient
        // The ReLU mask: where the saved output is positive (all ones without a fused ReLU).
        let mask = savedOutput ?? Tensor(zeros: [0])
        let masked = fusesReLU
        // col2im overwrites every image's planes, so dX starts uninitialised.
        var dX = [Float](unsafeUninitializedCapacity: needsDX ? x.count : 0) { _, initialized in
            initialized = needsDX ? x.count : 0
        }  // [N, inC, H, W]
        let groups = min(Self.gradientGroups, batch)
        let weightCount = outC * g.rows
        let groupWeights = groupWeightGradients.reserve(groups * weightCount)  // [groups, outC * rows]
        let groupBiases = groupBiasGradients.reserve(groups * outC)            // [groups, outC]
        x.data.withUnsafeBufferPointer { px in
            dY.data.withUnsafeBufferPointer { pdy in
                mask.data.withUnsafeBufferPointer { pmask in
                    weight.value.withUnsafeBufferPointer { pw in
                        dX.withUnsafeMutableBufferPointer { pdx in
                            let (x, dy, w, dx) = (px.baseAddress!, pdy.baseAddress!, pw.baseAddress!, pdx.baseAddress)
                            let outputMask = pmask.baseAddress
                            forEachChunk(batch: batch, geometry: g) { workspace, group, images, firstOfGroup in
                                let width = images.count * positions
                                let (cols, cm) = (workspace.columns, workspace.channelMajor)
                                let (dWeight, dBias) = (groupWeights + group * weightCount, groupBiases + group * outC)
                                g.im2col(x, chunk: images, into: cols)
                                // dY^T [outC, width] from dY [N, outC, H'W'] (times the ReLU mask).
                                for local in 0..<images.count {
                                    for oc in 0..<outC {
                                        let offset = ((images.lowerBound + local) * outC + oc) * positions
                                        let dst = cm + oc * width + local * positions
                                        if masked {
                                            ReLU.backward(dy + offset, output: outputMask! + offset, into: dst, count: positions)
                                        } else {
                                            dst.update(from: dy + offset, count: positions)
                                        }
                                    }
                                }
                                // The group's first chunk overwrites its partial sums, later ones add.
                                // dBias[oc] (+)= sum of row oc of dY^T
                                for oc in 0..<outC {
                                    let sum = rowSum(cm + oc * width, count: width)
                                    dBias[oc] = firstOfGroup ? sum : dBias[oc] + sum
                                }
                                // dWeight [outC, rows] (+)= dY^T [outC, width] * cols^T [width, rows]
                                BLAS.gemm(transB: true, m: outC, n: g.rows, k: width,
                                          a: cm, b: cols, beta: firstOfGroup ? 0 : 1, c: dWeight)
                                guard needsDX, let dx else { return }
                                // dCols [rows, width] = W^T [rows, outC] * dY^T [outC, width], over cols.
                                BLAS.gemm(transA: true, m: g.rows, n: width, k: outC, a: w, b: cm, c: cols)
                                g.col2im(cols, chunk: images, into: dx)
                            }
                        }
                    }
                }
            }
        }
        // Add the groups' partial gradients to the parameters, in group order.
        weight.grad.withUnsafeMutableBufferPointer { total in
            for group in 0..<groups {
                let partial = groupWeights + group * weightCount
                for i in 0..<weightCount { total[i] += partial[i] }
            }
        }
        bias.grad.withUnsafeMutableBufferPointer { total in
            for group in 0..<groups {
                let partial = groupBiases + group * outC
                for i in 0..<outC { total[i] += partial[i] }
            }
        }
        return needsDX ? Tensor(shape: x.shape, data: dX) : Tensor(zeros: x.shape)
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
