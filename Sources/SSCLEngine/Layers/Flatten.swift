/// [N, d1, d2, ...] -> [N, d1 * d2 * ...]; row-major data is unchanged, only the shape.
public final class Flatten: Layer {
    private var savedShape: [Int]?

    public var parameters: [Parameter] { [] }

    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(!x.shape.isEmpty, "Flatten: scalar input")
        if training { savedShape = x.shape }
        return x.reshaped([x.rows, x.rowSize])
    }

    public func backward(_ dY: Tensor) -> Tensor {
        guard let shape = savedShape else { preconditionFailure("Flatten: backward without a training forward") }
        return dY.reshaped(shape)
    }
}
