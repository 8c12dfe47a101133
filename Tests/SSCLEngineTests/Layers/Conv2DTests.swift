import Testing
@testable import SSCLEngine

@Suite struct Conv2DTests {
    /// Direct convolution in Double: y[n, o, oy, ox] = b[o] + sum_{c,ki,kj} w[o, c, ki, kj] x[n, c, oy s - p + ki, ox s - p + kj].
    private func naiveConvolution(_ x: Tensor, _ conv: Conv2D) -> Tensor {
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (k, s, p) = (conv.kernel, conv.stride, conv.padding)
        let (outHeight, outWidth) = conv.outputSize(height: height, width: width)
        var y = Tensor(zeros: [batch, conv.outChannels, outHeight, outWidth])
        for n in 0..<batch {
            for o in 0..<conv.outChannels {
                for oy in 0..<outHeight {
                    for ox in 0..<outWidth {
                        var sum = Double(conv.bias.value[o])
                        for c in 0..<channels {
                            for ki in 0..<k {
                                for kj in 0..<k {
                                    let iy = oy * s - p + ki
                                    let ix = ox * s - p + kj
                                    guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                                    let w = conv.weight.value[((o * channels + c) * k + ki) * k + kj]
                                    sum += Double(w) * Double(x.data[((n * channels + c) * height + iy) * width + ix])
                                }
                            }
                        }
                        y.data[((n * conv.outChannels + o) * outHeight + oy) * outWidth + ox] = Float(sum)
                    }
                }
            }
        }
        return y
    }

    private func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-1, 1) })
    }

    private func makeConv(inC: Int, outC: Int, kernel: Int = 3, stride: Int, padding: Int, seed: UInt64 = 21) -> Conv2D {
        var rng = SeededGenerator(seed: seed)
        let conv = Conv2D(name: "features.0", inChannels: inC, outChannels: outC, kernel: kernel, stride: stride,
                          padding: padding, rng: &rng)
        conv.bias.value = (0..<outC).map { _ in rng.uniform(-1, 1) }
        return conv
    }

    @Test func knownKernelGolden() {
        // One 3x3 image 1..9, kernel [[0,1,0],[1,-4,1],[0,1,0]] (Laplacian), bias 1, padding 1.
        var rng = SeededGenerator(seed: 0)
        let conv = Conv2D(name: "c", inChannels: 1, outChannels: 1, kernel: 3, stride: 1, padding: 1, rng: &rng)
        conv.weight.value = [0, 1, 0, 1, -4, 1, 0, 1, 0]
        conv.bias.value = [1]
        let x = Tensor(shape: [1, 1, 3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let y = conv.forward(x, training: false)
        // Centre: 2+4+6+8-20 = 0 (+1); corner (0,0): 2+4-4 = 2 (+1); corner (0,2): 2+6-12 = -4 (+1).
        #expect(y.shape == [1, 1, 3, 3])
        #expect(y.data == [3, 2, -3, -2, 1, -6, -15, -10, -21])
    }

    @Test(arguments: [(1, 0), (1, 1), (2, 0), (2, 1), (3, 2)])
    func forwardMatchesDirectConvolution(stride: Int, padding: Int) {
        let conv = makeConv(inC: 3, outC: 4, stride: stride, padding: padding)
        let x = randomTensor([2, 3, 7, 8], seed: 22)
        let y = conv.forward(x, training: false)
        let expected = naiveConvolution(x, conv)
        #expect(y.shape == expected.shape)
        for i in 0..<y.count { #expect(abs(y.data[i] - expected.data[i]) < 1e-5) }
    }

    /// Even planes with stride 2 take the paired phase split (16 floats at a time when W >= 16);
    /// odd ones, stride 3 and unpadded kernels take the general one. Forward against the
    /// direct sum, backward by finite differences.
    @Test(arguments: [(18, 16, 2, 1), (18, 34, 2, 1), (9, 9, 2, 1), (10, 12, 3, 1), (12, 12, 2, 0)])
    func phasePlanesMatchDirectConvolution(shape: (height: Int, width: Int, stride: Int, padding: Int)) {
        let conv = makeConv(inC: 2, outC: 3, stride: shape.stride, padding: shape.padding)
        let x = randomTensor([2, 2, shape.height, shape.width], seed: 40)
        let y = conv.forward(x, training: false)
        let expected = naiveConvolution(x, conv)
        #expect(y.shape == expected.shape)
        for i in 0..<y.count { #expect(abs(y.data[i] - expected.data[i]) < 1e-5) }
        for result in GradientCheck.check(layer: conv, input: x) {
            #expect(result.relativeError < 1e-2, "\(result.name): \(result.relativeError)")
        }
    }

    @Test func benchmarkGeometryShapes() {
        var rng = SeededGenerator(seed: 23)
        let c1 = Conv2D(name: "a", inChannels: 1, outChannels: 32, kernel: 3, stride: 1, padding: 1, rng: &rng)
        let c2 = Conv2D(name: "b", inChannels: 32, outChannels: 64, kernel: 3, stride: 2, padding: 1, rng: &rng)
        let c3 = Conv2D(name: "c", inChannels: 64, outChannels: 128, kernel: 3, stride: 2, padding: 1, rng: &rng)
        #expect(c1.outputSize(height: 28, width: 28) == (28, 28))
        #expect(c2.outputSize(height: 28, width: 28) == (14, 14))
        #expect(c3.outputSize(height: 14, width: 14) == (7, 7))
        #expect(c3.weight.shape == [128, 64, 3, 3] && c3.bias.shape == [128])
        #expect(c3.parameters.map(\.name) == ["c.weight", "c.bias"])
        #expect(c3.weight.decays && !c3.bias.decays)
    }

    @Test(arguments: [(1, 0), (1, 1), (2, 0), (2, 1)])
    func gradientCheck(stride: Int, padding: Int) {
        let conv = makeConv(inC: 2, outC: 3, stride: stride, padding: padding)
        let x = randomTensor([2, 2, 6, 7], seed: 24)
        for result in GradientCheck.check(layer: conv, input: x) {
            #expect(result.relativeError < 1e-2, "\(result.name): \(result.relativeError)")
        }
    }

    /// A batch split into several GEMM chunks must give the same outputs and gradients.
    @Test func chunkedBatchMatchesSingleGEMM() {
        let x = randomTensor([5, 2, 6, 6], seed: 25)
        let dY = randomTensor([5, 3, 3, 3], seed: 26)
        let whole = makeConv(inC: 2, outC: 3, stride: 2, padding: 1)
        let chunked = makeConv(inC: 2, outC: 3, stride: 2, padding: 1)
        chunked.maxChunkFloats = 2 * (18 + 3) * 9  // two images per chunk: 3 chunks
        let y1 = whole.forward(x, training: true)
        let y2 = chunked.forward(x, training: true)
        let dX1 = whole.backward(dY)
        let dX2 = chunked.backward(dY)
        for i in 0..<y1.count { #expect(abs(y1.data[i] - y2.data[i]) < 1e-5) }
        for i in 0..<dX1.count { #expect(abs(dX1.data[i] - dX2.data[i]) < 1e-5) }
        for i in 0..<whole.weight.count { #expect(abs(whole.weight.grad[i] - chunked.weight.grad[i]) < 1e-4) }
        for i in 0..<3 { #expect(abs(whole.bias.grad[i] - chunked.bias.grad[i]) < 1e-4) }
    }

    /// Splitting the batch over thread parts (uneven: 5 images over 3 parts, one image per
    /// chunk) must give bitwise what one thread gives: a resumed job may use other threads.
    @Test func threadPartsMatchOnePart() {
        let x = randomTensor([5, 2, 6, 6], seed: 38)
        let dY = randomTensor([5, 3, 3, 3], seed: 39)
        func run(threads: Int) -> (y: Tensor, dX: Tensor, dWeight: [Float], dBias: [Float]) {
            let conv = makeConv(inC: 2, outC: 3, stride: 2, padding: 1)
            conv.threads = threads
            conv.maxChunkFloats = (18 + 3) * 9  // one image per chunk
            let y = conv.forward(x, training: true)
            let dX = conv.backward(dY)
            return (y, dX, conv.weight.grad, conv.bias.grad)
        }
        let one = run(threads: 1), three = run(threads: 3)
        #expect(one.y.data == three.y.data)
        #expect(one.dX.data == three.dX.data)
        #expect(one.dWeight == three.dWeight)
        #expect(one.dBias == three.dBias)
        #expect(one.dWeight.contains { $0 != 0 })
    }

    /// An evaluation forward between a training forward and its backward must not corrupt backward.
    @Test func evaluationForwardDoesNotDisturbPendingBackward() {
        let x = randomTensor([2, 2, 5, 5], seed: 27)
        let other = randomTensor([3, 2, 5, 5], seed: 28)
        let dY = randomTensor([2, 3, 5, 5], seed: 29)
        let reference = makeConv(inC: 2, outC: 3, stride: 1, padding: 1)
        let interrupted = makeConv(inC: 2, outC: 3, stride: 1, padding: 1)
        _ = reference.forward(x, training: true)
        let dXReference = reference.backward(dY)
        _ = interrupted.forward(x, training: true)
        _ = interrupted.forward(other, training: false)
        let dX = interrupted.backward(dY)
        #expect(dX.data == dXReference.data)
        #expect(interrupted.weight.grad == reference.weight.grad)
    }

    @Test func skippingInputGradientKeepsParameterGradients() {
        let x = randomTensor([2, 1, 6, 6], seed: 30)
        let dY = randomTensor([2, 4, 6, 6], seed: 31)
        let full = makeConv(inC: 1, outC: 4, stride: 1, padding: 1)
        let first = makeConv(inC: 1, outC: 4, stride: 1, padding: 1)
        first.computesInputGradient = false
        _ = full.forward(x, training: true)
        _ = full.backward(dY)
        _ = first.forward(x, training: true)
        let dX = first.backward(dY)
        #expect(dX.data.allSatisfy { $0 == 0 })
        #expect(first.weight.grad == full.weight.grad)
        #expect(first.bias.grad == full.bias.grad)
    }

    @Test func gradientsAccumulate() {
        let conv = makeConv(inC: 1, outC: 2, stride: 1, padding: 0)
        let x = randomTensor([1, 1, 4, 4], seed: 32)
        let dY = randomTensor([1, 2, 2, 2], seed: 33)
        _ = conv.forward(x, training: true)
        _ = conv.backward(dY)
        let once = conv.weight.grad
        _ = conv.forward(x, training: true)
        _ = conv.backward(dY)
        for i in 0..<once.count { #expect(abs(conv.weight.grad[i] - 2 * once[i]) < 1e-5) }
    }

    /// A fused ReLU must equal Conv2D followed by ReLU, forward and backward.
    @Test func fusedReLUMatchesSeparateReLU() {
        let x = randomTensor([3, 2, 6, 6], seed: 34)
        let dY = randomTensor([3, 4, 3, 3], seed: 35)
        let plain = makeConv(inC: 2, outC: 4, stride: 2, padding: 1)
        var rng = SeededGenerator(seed: 21)
        let fused = Conv2D(name: "features.0", inChannels: 2, outChannels: 4, kernel: 3, stride: 2, padding: 1,
                           fusesReLU: true, rng: &rng)
        fused.bias.value = plain.bias.value
        #expect(fused.weight.value == plain.weight.value)
        let separate = Sequential([plain, ReLU()])
        let y1 = separate.forward(x, training: true)
        let y2 = fused.forward(x, training: true)
        #expect(y1.data == y2.data)
        #expect(y2.data.contains { $0 == 0 } && y2.data.contains { $0 > 0 })
        let dX1 = separate.backward(dY)
        let dX2 = fused.backward(dY)
        for i in 0..<dX1.count { #expect(abs(dX1.data[i] - dX2.data[i]) < 1e-6) }
        for i in 0..<plain.weight.count { #expect(abs(plain.weight.grad[i] - fused.weight.grad[i]) < 1e-5) }
        for i in 0..<4 { #expect(abs(plain.bias.grad[i] - fused.bias.grad[i]) < 1e-5) }
    }

    @Test func fusedReLUGradientCheck() {
        var rng = SeededGenerator(seed: 36)
        let conv = Conv2D(name: "c", inChannels: 2, outChannels: 3, kernel: 3, stride: 1, padding: 1,
                          fusesReLU: true, rng: &rng)
        conv.bias.value = [0.3, -0.2, 0.1]
        for result in GradientCheck.check(layer: conv, input: randomTensor([2, 2, 5, 5], seed: 37)) {
            #expect(result.relativeError < 1e-2, "\(result.name): \(result.relativeError)")
        }
    }
}
