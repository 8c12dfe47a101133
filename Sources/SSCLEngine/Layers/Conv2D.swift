/// 2-D convolution (cross-correlation, like `nn.Conv2d`) on [N, C, H, W] with a square
/// kernel, stride and zero padding: [N, inC, H, W] -> [N, outC, H', W'] with
/// H' = (H + 2 padding - kernel) / stride + 1 (same for W').
///
/// im2col (Chellapilla et al. 2006): the receptive fields of a whole chunk of images become
/// the columns of one matrix cols [inC * k * k, images * H'W'], so the layer is ONE large
/// GEMM, Y^T [outC, images * H'W'] = W [outC, inC k k] * cols, instead of one per image.
/// A chunk is the whole batch unless cols would exceed `maxColumnFloats`.
/// Backward: dWeight += dY^T cols^T, dCols = W^T dY^T, then col2im adds dCols back into dX.
/// Scratch buffers live in the layer and are reused across calls.
public final class Conv2D: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter  // [outC, inC, kernel, kernel]
    public let bias: Parameter    // [outC]
    /// When false, backward skips dX and returns zeros (the first layer of a network needs none).
    public var computesInputGradient = true
    /// Upper bound on the im2col scratch, in floats (128 MiB); larger batches are processed in chunks.
    public var maxColumnFloats = 1 << 25

    /// The input of the last training forward.
    private var savedInput: Tensor?          // [N, inC, H, W]
    /// im2col scratch, then dCols in backward.
    private var columns: [Float] = []        // [inC * k * k, chunkImages * H'W']
    /// Y or dY with channels first.
    private var channelMajor: [Float] = []   // [outC, chunkImages * H'W']
    /// True while `columns` holds the im2col of the whole saved input (single-chunk training forward).
    private var columnsHoldSavedInput = false

    /// Creates `<name>.weight` [outC, inC, k, k] (He-uniform, decays) and `<name>.bias` [outC] (zero, no decay).
    public init(name: String, inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                rng: inout SeededGenerator) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0 && padding >= 0,
                     "\(name): invalid convolution geometry")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
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
        let (outC, positions) = (outChannels, g.positions)
        var y = [Float](repeating: 0, count: batch * outC * positions)  // [N, outC, H'W']
        x.data.withUnsafeBufferPointer { px in
            weight.value.withUnsafeBufferPointer { pw in
                bias.value.withUnsafeBufferPointer { pb in
                    columns.withUnsafeMutableBufferPointer { pcols in
                        channelMajor.withUnsafeMutableBufferPointer { pcm in
                            y.withUnsafeMutableBufferPointer { py in
                                for first in Swift.stride(from: 0, to: batch, by: chunk) {
                                    let images = first..<min(batch, first + chunk)
                                    let width = images.count * positions
                                    g.im2col(px.baseAddress!, images: images, into: pcols.baseAddress!)
                                    // Y^T [outC, width] = W [outC, rows] * cols [rows, width]
                                    BLAS.gemm(m: outC, n: width, k: g.rows, a: pw.baseAddress!,
                                              b: pcols.baseAddress!, c: pcm.baseAddress!)
                                    // y[n, oc, :] = Y^T[oc, (n - first) H'W' ..< +H'W'] + bias[oc]
                                    for (local, n) in images.enumerated() {
                                        for oc in 0..<outC {
                                            let src = pcm.baseAddress! + oc * width + local * positions
                                            let dst = py.baseAddress! + (n * outC + oc) * positions
                                            let b = pb[oc]
                                            for i in 0..<positions { dst[i] = src[i] + b }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if training { savedInput = x }
        columnsHoldSavedInput = training && chunk >= batch
        return Tensor(shape: [batch, outC, g.outHeight, g.outWidth], data: y)
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
        var dX = [Float](repeating: 0, count: x.count)  // [N, inC, H, W]
        x.data.withUnsafeBufferPointer { px in
            dY.data.withUnsafeBufferPointer { pdy in
                weight.value.withUnsafeBufferPointer { pw in
                    weight.grad.withUnsafeMutableBufferPointer { dWeight in
                        bias.grad.withUnsafeMutableBufferPointer { dBias in
                            columns.withUnsafeMutableBufferPointer { pcols in
                                channelMajor.withUnsafeMutableBufferPointer { pcm in
                                    dX.withUnsafeMutableBufferPointer { pdx in
                                        for first in Swift.stride(from: 0, to: batch, by: chunk) {
                                            let images = first..<min(batch, first + chunk)
                                            let width = images.count * positions
                                            if !reuseColumns {
                                                g.im2col(px.baseAddress!, images: images, into: pcols.baseAddress!)
                                            }
                                            // dY^T [outC, width] from dY [N, outC, H'W'], and dBias.
                                            for (local, n) in images.enumerated() {
                                                for oc in 0..<outC {
                                                    let src = pdy.baseAddress! + (n * outC + oc) * positions
                                                    let dst = pcm.baseAddress! + oc * width + local * positions
                                                    dst.update(from: src, count: positions)
                                                    var sum: Float = 0
                                                    for i in 0..<positions { sum += src[i] }
                                                    dBias[oc] += sum
                                                }
                                            }
                                            // dWeight [outC, rows] += dY^T [outC, width] * cols^T [width, rows]
                                            BLAS.gemm(transB: true, m: outC, n: g.rows, k: width,
                                                      a: pcm.baseAddress!, b: pcols.baseAddress!,
                                                      beta: 1, c: dWeight.baseAddress!)
                                            guard needsDX else { continue }
                                            // dCols [rows, width] = W^T [rows, outC] * dY^T [outC, width], over cols.
                                            BLAS.gemm(transA: true, m: g.rows, n: width, k: outC,
                                                      a: pw.baseAddress!, b: pcm.baseAddress!, c: pcols.baseAddress!)
                                            g.col2im(pcols.baseAddress!, images: images, into: pdx.baseAddress!)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // cols now hold dCols (or stay valid only if dX was skipped).
        columnsHoldSavedInput = columnsHoldSavedInput && !needsDX
        return Tensor(shape: x.shape, data: dX)
    }
}
