/// LARS (You, Gitman & Ginsburg 2017), as used by SimCLR: SGD with momentum whose step for
/// each weight tensor is scaled by a trust ratio. Parameters that do not decay (biases,
/// batch-norm scales) get plain momentum SGD, as in SimCLR's implementation.
///
///     g = grad + wd * w
///     trust = eta * ||w|| / ||g||   (1 when either norm is 0)
///     buf = momentum * buf + trust * g;   w -= lr * (nesterov ? trust * g + momentum * buf : buf)
public final class LARS: Optimizer {
    public let parameters: [Parameter]
    public let momentum: Float
    public let weightDecay: Float
    public let trustCoefficient: Float
    public let nesterov: Bool
    private var buffers: [[Float]]
    private var stepCount = 0

    public init(parameters: [Parameter], momentum: Float = 0.9, weightDecay: Float = 0,
                trustCoefficient: Float = 0.001, nesterov: Bool = false) {
        self.parameters = parameters
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.trustCoefficient = trustCoefficient
        self.nesterov = nesterov
        self.buffers = parameters.map { [Float](repeating: 0, count: $0.count) }
    }

    public func step(lr: Float) {
        for (index, p) in parameters.enumerated() {
            let wd = p.decays ? weightDecay : 0
            var trust: Float = 1
            if p.decays {
                var wNorm: Double = 0
                var gNorm: Double = 0
                for j in 0..<p.count {
                    let g = Double(p.grad[j] + wd * p.value[j])
                    wNorm += Double(p.value[j]) * Double(p.value[j])
                    gNorm += g * g
                }
                if wNorm > 0 && gNorm > 0 {
                    trust = trustCoefficient * Float(wNorm.squareRoot() / gNorm.squareRoot())
                }
            }
            let (m, nesterov) = (momentum, self.nesterov)
            p.value.withUnsafeMutableBufferPointer { w in
                p.grad.withUnsafeBufferPointer { grad in
                    buffers[index].withUnsafeMutableBufferPointer { buf in
                        for j in 0..<w.count {
                            let g = trust * (grad[j] + wd * w[j])
                            buf[j] = m * buf[j] + g
                            w[j] -= lr * (nesterov ? g + m * buf[j] : buf[j])
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
