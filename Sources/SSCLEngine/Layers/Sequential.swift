/// Layers applied in order; backward runs them in reverse. Parameters and buffers are
/// the concatenation of the layers' own, in layer order (a stable order for checkpoints).
public final class Sequential: Layer {
    public var layers: [Layer]

    public init(_ layers: [Layer]) {
        self.layers = layers
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    public var buffers: [Parameter] { layers.flatMap(\.buffers) }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        layers.reduce(x) { $1.forward($0, training: training) }
    }

    public func backward(_ dY: Tensor) -> Tensor {
        layers.reversed().reduce(dY) { $1.backward($0) }
    }
}
