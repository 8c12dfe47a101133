import Foundation

/// The learning rate at each global step: linear warm-up from lr/warmupSteps to lr over
/// `warmup_epochs`, then cosine decay to `lr * min_lr_factor` at the last step
/// (Loshchilov & Hutter 2017, without restarts; the SimCLR recipe), or constant.
public struct LearningRateSchedule: Sendable, Equatable {
    public let baseLR: Float
    public let kind: ScheduleKind
    public let warmupSteps: Int
    public let totalSteps: Int
    public let minLRFactor: Float

    public init(spec: ScheduleSpec, baseLR: Float, stepsPerEpoch: Int, epochs: Int) {
        self.baseLR = baseLR
        self.kind = spec.kind
        self.totalSteps = max(1, stepsPerEpoch * epochs)
        self.warmupSteps = min(Int((spec.warmupEpochs * Double(stepsPerEpoch)).rounded()), totalSteps)
        self.minLRFactor = spec.minLRFactor
    }

    /// The rate for global step `step` (0-based).
    public func lr(at step: Int) -> Float {
        if step < warmupSteps {
            return baseLR * Float(step + 1) / Float(warmupSteps)
        }
        switch kind {
        case .constant:
            return baseLR
        case .cosine:
            let span = max(1, totalSteps - warmupSteps)
            let progress = min(1, Double(step - warmupSteps) / Double(span))
            let cosine = 0.5 * (1 + cos(Double.pi * progress))
            let floor = Double(baseLR * minLRFactor)
            return Float(floor + (Double(baseLR) - floor) * cosine)
        }
    }
}
