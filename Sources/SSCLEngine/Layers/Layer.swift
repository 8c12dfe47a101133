/// One differentiable stage of a model, forward and backward side by side.
///
/// `forward` saves what `backward` needs (inputs, masks, im2col buffers); `backward`
/// takes dLoss/dOutput, accumulates into the parameters' `grad`, and returns
/// dLoss/dInput. A layer is used by one thread at a time.
public protocol Layer: AnyObject {
    /// Trainable parameters, in a fixed order.
    var parameters: [Parameter] { get }
    /// Non-trainable state that must survive checkpoints (batch-norm running statistics).
    var buffers: [Parameter] { get }
    /// `training` selects batch statistics (and caching for backward) over running ones.
    func forward(_ x: Tensor, training: Bool) -> Tensor
    func backward(_ dY: Tensor) -> Tensor
}

extension Layer {
    public var buffers: [Parameter] { [] }
}
