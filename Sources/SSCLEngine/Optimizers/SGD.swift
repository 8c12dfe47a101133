/// Stochastic gradient descent with momentum, L2 weight decay and optional Nesterov,
/// with PyTorch's `torch.optim.SGD` semantics (dampening 0):
///
///     g = grad + wd * w            (only for parameters that decay)
///     buf = momentum * buf + g     (buf = g on the first step)
///     d = nesterov ? g + momentum * buf : buf
///     w -= lr * d
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public let momentum: Float
    public let weightDecay: Float
    public let nesterov: Bool
    private var buffers: [[Float]]
    private var stepCount = 0

    public init(parameters: [Parameter], momentum: Float = 0.9, weightDecay: Float = 0, nesterov: Bool = false) {
        self.parameters = parameters
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        self.buffers = parameters.map { [Float](repeating: 0, count: $0.count) }
    }

    public func step(lr: Float) {
        let first = stepCount == 0
        for (index, p) in parameters.enumerated() {
            let wd = p.decays ? weightDecay : 0
            let (m, nesterov) = (momentum, self.nesterov)
            p.value.withUnsafeMutableBufferPointer { w in
                p.grad.withUnsafeBufferPointer { grad in
                    buffers[index].withUnsafeMutableBufferPointer { buf in
                        for j in 0..<w.count {
                            let g = grad[j] + wd * w[j]
                            var d = g
                            if m != 0 {
                                buf[j] = first ? g : m * buf[j] + g
                                d = nesterov ? g + m * buf[j] : buf[j]
                            }
                            w[j] -= lr * d
                        }
                    }
                }
            }
        }
        stepCount += 1
    }

    public var state: OptimizerState {
        get { OptimizerState(momentum: buffers, of: parameters, stepCount: stepCount) }
        set {
            buffers = newValue.momentumBuffers(of: parameters, current: buffers)
            stepCount = newValue.stepCount
        }
    }
}
