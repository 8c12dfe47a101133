/// A trainable array and its gradient, with a stable name used by the optimiser state,
/// checkpoints and the safetensors export (`encoder.0.weight`, ...).
///
/// A class so that layers, optimisers and checkpoints share one instance.
/// Not `Sendable`: a model and its parameters belong to one training thread.
public final class Parameter {
    public let name: String
    public let shape: [Int]
    /// The values, row-major in `shape`.
    public var value: [Float]
    /// dLoss/dValue, accumulated by backward passes and cleared by `zeroGrad()`.
    public var grad: [Float]
    /// Whether weight decay applies (weights yes; biases and norm scales/shifts no).
    public let decays: Bool

    public init(name: String, shape: [Int], value: [Float], decays: Bool) {
        precondition(shape.reduce(1, *) == value.count, "\(name): shape \(shape) does not match \(value.count) values")
        self.name = name
        self.shape = shape
        self.value = value
        self.grad = [Float](repeating: 0, count: value.count)
        self.decays = decays
    }

    public var count: Int { value.count }

    public func zeroGrad() {
        grad.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}
