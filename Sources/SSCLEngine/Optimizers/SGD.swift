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

    /// The update is memory-bound (20 bytes per weight: read w, grad, buf; write w, buf): it runs
    /// on the job's threads in disjoint ranges (elementwise, so the result does not depend on the
    /// split), one branch-free loop per case so it vectorises. On the default MLP (1M weights) at
    /// 2 threads: 1.7 ms -> 0.9 ms of a 20 ms step.
    public func step(lr: Float) {
        let first = stepCount == 0
        for (index, p) in parameters.enumerated() {
            let wd = p.decays ? weightDecay : 0
            let (m, nesterov) = (momentum, self.nesterov)
            p.value.withUnsafeMutableBufferPointer { w in
                p.grad.withUnsafeBufferPointer { grad in
                    buffers[index].withUnsafeMutableBufferPointer { buf in
                        let count = w.count
                        let (w, grad, buf) = (w.baseAddress!, grad.baseAddress!, buf.baseAddress!)
                        ParallelRanges.forEach(count, minimumLength: Self.minimumRange) { range in
                            Self.update(w, grad: grad, buffer: buf, range: range, lr: lr, wd: wd,
                                        momentum: m, nesterov: nesterov, first: first)
                        }
                    }
                }
            }
        }
        stepCount += 1
    }

    /// Weights per thread below which splitting costs more than it saves.
    static let minimumRange = 32_768

    private static func update(
        _ w: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, buffer buf: UnsafeMutablePointer<Float>,
        range: Range<Int>, lr: Float, wd: Float, momentum m: Float, nesterov: Bool, first: Bool
    ) {
        if m == 0 {
            for j in range { w[j] -= lr * (grad[j] + wd * w[j]) }
        } else if first {
            for j in range {
                let g = grad[j] + wd * w[j]
                buf[j] = g
                w[j] -= lr * (nesterov ? g + m * g : g)
            }
        } else if nesterov {
            for j in range {
                let g = grad[j] + wd * w[j]
                let b = m * buf[j] + g
                buf[j] = b
                w[j] -= lr * (g + m * b)
            }
        } else {
            for j in range {
                let b = m * buf[j] + (grad[j] + wd * w[j])
                buf[j] = b
                w[j] -= lr * b
            }
        }
    }

    public var state: OptimizerState {
        get { OptimizerState(momentum: buffers, of: parameters, stepCount: stepCount) }
        set {
            buffers = newValue.momentumBuffers(of: parameters, current: buffers)
            stepCount = newValue.stepCount
        }
    }
}
