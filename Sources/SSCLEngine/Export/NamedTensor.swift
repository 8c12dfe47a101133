/// A named float32 array as stored in checkpoints and safetensors exports
/// (`param/encoder.0.weight`, `opt/momentum/encoder.0.weight`, ...).
public struct NamedTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    /// Row-major in `shape`.
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "\(name): negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == values.count, "\(name): shape \(shape) does not match \(values.count) values")
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// Bit-for-bit equality of the values (unlike `==`, NaNs with the same payload compare equal).
    public func isBitwiseEqual(to other: NamedTensor) -> Bool {
        name == other.name && shape == other.shape
            && values.count == other.values.count
            && zip(values, other.values).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}
