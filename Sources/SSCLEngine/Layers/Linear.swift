/// Fully connected layer, Y = X W^T + b, in PyTorch's `nn.Linear` layout so the weights
/// export unchanged. Weights start He-uniform (see `Initialization`), biases at zero.
public final class Linear: Layer {
    public let inputs: Int
    public let outputs: Int
    public let weight: Parameter  // [outputs, inputs]
    public let bias: Parameter    // [outputs]
    /// False for a first layer: nothing needs dLoss/dInput there, and skipping it saves a
    /// third of the layer's backward FLOPs. `backward` then returns zeros.
    public var computesInputGradient = true
    /// The input of the last training forward, kept for dWeight.
    private var savedInput: Tensor?  // [batch, inputs]

    public var parameters: [Parameter] { [weight, bias] }

    /// Creates `<name>.weight` [outputs, inputs] (decays) and `<name>.bias` [outputs] (does not).
    public init(name: String, inputs: Int, outputs: Int, rng: inout SeededGenerator) {
        precondition(inputs > 0 && outputs > 0, "\(name): sizes must be positive")
        self.inputs = inputs
        self.outputs = outputs
        weight = Parameter(
            name: "\(name).weight", shape: [outputs, inputs],
            value: Initialization.kaimingUniform(count: outputs * inputs, fanIn: inputs, rng: &rng),
            decays: true)
        bias = Parameter(
            name: "\(name).bias", shape: [outputs],
            value: [Float](repeating: 0, count: outputs), decays: false)
    }

    /// Y = X W^T + b: the bias is broadcast into Y, then one GEMM adds X W^T (beta = 1).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.shape.count == 2 && x.shape[1] == inputs,
                     "\(weight.name): expected [batch, \(inputs)], got \(x.shape)")
        let batch = x.rows
        precondition(batch > 0, "\(weight.name): empty batch")
        let (outputs, inputs) = (self.outputs, self.inputs)
        var y = [Float](unsafeUninitializedCapacity: batch * outputs) { buffer, initialized in
            bias.value.withUnsafeBufferPointer { b in
                for r in 0..<batch {
                    buffer.baseAddress!.advanced(by: r * outputs).initialize(from: b.baseAddress!, count: outputs)
                }
            }
            initialized = batch * outputs
        }  // [batch, outputs]
        x.data.withUnsafeBufferPointer { px in
            weight.value.withUnsafeBufferPointer { pw in
                y.withUnsafeMutableBufferPointer { py in
                    BLAS.gemm(transB: true, m: batch, n: outputs, k: inputs,
                              a: px.baseAddress!, b: pw.baseAddress!, beta: 1, c: py.baseAddress!)
                }
            }
        }
        if training { savedInput = x }
        return Tensor(shape: [batch, outputs], data: y)
    }

    /// dX = dY W, dWeight += dY^T X, dBias += column sums of dY.
    public func backward(_ dY: Tensor) -> Tensor {
        guard let x = savedInput else { preconditionFailure("\(weight.name): backward without a training forward") }
        let batch = x.rows
        precondition(dY.shape == [batch, outputs], "\(weight.name): dY shape \(dY.shape)")
        let (outputs, inputs) = (self.outputs, self.inputs)
        var dX = [Float](repeating: 0, count: batch * inputs)  // [batch, inputs]
        let needsDX = computesInputGradient
        dY.data.withUnsafeBufferPointer { pdy in
            let dy = pdy.baseAddress!
            if needsDX {
                weight.value.withUnsafeBufferPointer { pw in
                    dX.withUnsafeMutableBufferPointer { pdx in
                        BLAS.gemm(m: batch, n: inputs, k: outputs, a: dy, b: pw.baseAddress!, c: pdx.baseAddress!)
                    }
                }
            }
            x.data.withUnsafeBufferPointer { px in
                weight.grad.withUnsafeMutableBufferPointer { dWeight in
                    BLAS.gemm(transA: true, m: outputs, n: inputs, k: batch,
                              a: dy, b: px.baseAddress!, beta: 1, c: dWeight.baseAddress!)
                }
            }
            bias.grad.withUnsafeMutableBufferPointer { dBias in
                for r in 0..<batch {
                    let row = dy.advanced(by: r * outputs)
                    for j in 0..<outputs { dBias[j] += row[j] }
                }
            }
        }
        return Tensor(shape: [batch, inputs], data: dX)
    }
}
