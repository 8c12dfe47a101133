/// What a training run reports while it runs, through the callback given to `Trainer.run`.
public enum TrainingEvent: Sendable {
    case step(StepReport)
    case evaluation(EvaluationReport)
    case checkpoint(epoch: Int, globalStep: Int)
    case log(String)
}

/// One optimisation step.
public struct StepReport: Sendable, Equatable {
    /// 1-based epoch the step belongs to.
    public var epoch: Int
    public var epochs: Int
    /// Steps done so far in the run, this one included (1-based).
    public var globalStep: Int
    public var totalSteps: Int
    public var loss: Double
    public var lr: Double
    /// Inputs (not views) per second over this step.
    public var imagesPerSecond: Double
    /// Seconds of training so far, earlier attempts included.
    public var elapsedSeconds: Double
}

/// Evaluation of the frozen encoder on the test split.
public struct EvaluationReport: Sendable, Equatable {
    public var epoch: Int
    public var globalStep: Int
    public var knnAccuracy: Double
    /// nil when the job's `eval.linear_probe` is false.
    public var linearAccuracy: Double?
    public var alignment: Double
    public var uniformity: Double
}
