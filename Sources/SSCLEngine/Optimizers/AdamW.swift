import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter 2019), as `torch.optim.AdamW`:
///
///     w -= lr * wd * w                          (only for parameters that decay)
///     m = b1 * m + (1 - b1) * g;   v = b2 * v + (1 - b2) * g^2
///     w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
public final class AdamW: Optimizer {
    public let parameters: [Parameter]
    public let beta1: Float
    public let beta2: Float
    public let eps: Float
    public let weightDecay: Float
    private var m: [[Float]]
    private var v: [[Float]]
    private var stepCount = 0

    public init(parameters: [Parameter], beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01) {
        self.parameters = parameters
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.m = parameters.map { [Float](repeating: 0, count: $0.count) }
        self.v = parameters.map { [Float](repeating: 0, count: $0.count) }
    }

    public func step(lr: Float) {
        stepCount += 1
        let t = Double(stepCount)
        let c1 = Float(1 - pow(Double(beta1), t))
        let c2 = Float(1 - pow(Double(beta2), t))
        let (b1, b2, eps) = (beta1, beta2, self.eps)
        for (index, p) in parameters.enumerated() {
            let decay = p.decays ? 1 - lr * weightDecay : 1
            p.value.withUnsafeMutableBufferPointer { w in
                p.grad.withUnsafeBufferPointer { g in
                    m[index].withUnsafeMutableBufferPointer { m in
                        v[index].withUnsafeMutableBufferPointer { v in
                            for j in 0..<w.count {
                                m[j] = b1 * m[j] + (1 - b1) * g[j]
                                v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j]
                                w[j] = w[j] * decay - lr * (m[j] / c1) / ((v[j] / c2).squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }

    public var state: OptimizerState {
        get {
            var slots: [String: [Float]] = [:]
            for (i, p) in parameters.enumerated() {
                slots["exp_avg/\(p.name)"] = m[i]
                slots["exp_avg_sq/\(p.name)"] = v[i]
            }
            return OptimizerState(slots: slots, stepCount: stepCount)
        }
        set {
            for (i, p) in parameters.enumerated() {
                if let a = newValue.slots["exp_avg/\(p.name)"], a.count == p.count { m[i] = a }
                if let b = newValue.slots["exp_avg_sq/\(p.name)"], b.count == p.count { v[i] = b }
            }
            stepCount = newValue.stepCount
        }
    }
}
