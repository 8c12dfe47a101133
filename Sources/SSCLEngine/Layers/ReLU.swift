/// max(x, 0), element-wise. Keeps its output for backward: dX = dY where y > 0, else 0
/// (the subgradient at 0 is taken as 0, like PyTorch).
public final class ReLU: Layer {
    private var savedOutput: Tensor?  // same shape as the input

    public var parameters: [Parameter] { [] }

    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let count = x.count
        let y = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            x.data.withUnsafeBufferPointer { px in
                for i in 0..<count { buffer[i] = max(px[i], 0) }
            }
            initialized = count
        }
        let output = Tensor(shape: x.shape, data: y)
        if training { savedOutput = output }
        return output
    }

    public func backward(_ dY: Tensor) -> Tensor {
        guard let y = savedOutput else { preconditionFailure("ReLU: backward without a training forward") }
        precondition(dY.shape == y.shape, "ReLU: dY shape \(dY.shape) does not match \(y.shape)")
        let count = y.count
        let dX = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            y.data.withUnsafeBufferPointer { py in
                dY.data.withUnsafeBufferPointer { pdy in
                    for i in 0..<count { buffer[i] = py[i] > 0 ? pdy[i] : 0 }
                }
            }
            initialized = count
        }
        return Tensor(shape: y.shape, data: dX)
    }
}
