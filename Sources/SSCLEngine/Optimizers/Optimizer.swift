/// Updates parameters from their gradients. Optimisers are ordered by complexity
/// (SGD, AdamW, LARS), each implementing one `step`.
///
/// State (momentum buffers, moments) is exposed as named flat arrays so checkpoints can
/// save and restore it exactly: keys are `"<slot>/<parameter name>"`.
public protocol Optimizer: AnyObject {
    var parameters: [Parameter] { get }
    /// Applies one update with learning rate `lr` (the schedule's value for this step).
    func step(lr: Float)
    /// Everything needed to continue exactly: slot arrays and the step counter.
    var state: OptimizerState { get set }
}

/// Optimiser state as plain data, for checkpoints.
public struct OptimizerState: Sendable, Equatable {
    /// `"<slot>/<parameter name>"` -> values, same length as the parameter.
    public var slots: [String: [Float]]
    /// Number of steps taken (AdamW's bias correction needs it).
    public var stepCount: Int

    public init(slots: [String: [Float]] = [:], stepCount: Int = 0) {
        self.slots = slots
        self.stepCount = stepCount
    }
}

/// Builds the optimiser a job asks for.
public func makeOptimizer(_ spec: OptimizerSpec, parameters: [Parameter]) -> Optimizer {
    switch spec.kind {
    case .sgd:
        return SGD(parameters: parameters, momentum: spec.momentum, weightDecay: spec.weightDecay, nesterov: spec.nesterov)
    case .adamw:
        return AdamW(parameters: parameters, beta1: spec.beta1, beta2: spec.beta2, eps: spec.eps, weightDecay: spec.weightDecay)
    case .lars:
        return LARS(parameters: parameters, momentum: spec.momentum, weightDecay: spec.weightDecay,
                    trustCoefficient: spec.trustCoefficient, nesterov: spec.nesterov)
    }
}

extension OptimizerState {
    /// State of a momentum optimiser (SGD, LARS): one `momentum/<name>` slot per parameter.
    init(momentum buffers: [[Float]], of parameters: [Parameter], stepCount: Int) {
        var slots: [String: [Float]] = [:]
        for (p, b) in zip(parameters, buffers) { slots["momentum/\(p.name)"] = b }
        self.init(slots: slots, stepCount: stepCount)
    }

    /// The momentum buffers of `parameters` held in this state; `current` where a slot is
    /// missing or of the wrong size.
    func momentumBuffers(of parameters: [Parameter], current: [[Float]]) -> [[Float]] {
        parameters.enumerated().map { i, p in
            if let b = slots["momentum/\(p.name)"], b.count == p.count { return b }
            return current[i]
        }
    }
}
