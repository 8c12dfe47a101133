import Foundation

/// What a training run reports, as it happens: the one record of a run. `TrainingRun` appends
/// each event to `metrics.jsonl` and hands it to its sink; `sscl worker` writes the same
/// lines on its stdout, the service's scheduler reads them from the pipe and its backfill
/// from the file, all through this type (`TrainingEvent+JSON.swift` is the one encoder and
/// decoder of the line format).
public struct TrainingEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The data is loaded (and the checkpoint restored when `resumed`); training begins.
        case started(RunStart)
        /// One optimisation step.
        case step(StepReport)
        /// An evaluation of the frozen encoder.
        case evaluation(EvaluationReport)
        /// A checkpoint was written at this position.
        case checkpoint(RunPosition)
        /// A human-readable line.
        case log(String)
        /// The run finished: what `result.json` holds.
        case result(TrainingResult)
        /// The run stopped on request after writing its checkpoint at this position.
        case stopped(RunPosition)
        /// The run failed.
        case error(TrainingFailure)
        /// False-negative diagnostics of one batch (every `eval.diagnostics_every` steps).
        case diagnostics(DiagnosticsReport)
    }

    public var kind: Kind
    /// Whole milliseconds since 1970: exactly what the line's RFC 3339 time holds, so an
    /// event survives a round trip through its line unchanged.
    public var milliseconds: Int64

    public var time: Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// `time` is rounded down to whole milliseconds.
    public init(_ kind: Kind, time: Date = Date()) {
        self.kind = kind
        milliseconds = Int64((time.timeIntervalSince1970 * 1000).rounded(.down))
    }

    public init(_ kind: Kind, milliseconds: Int64) {
        self.kind = kind
        self.milliseconds = milliseconds
    }
}

/// The start of an attempt.
public struct RunStart: Sendable, Equatable {
    /// The process that trains (the worker's pid, for the service's log).
    public var pid: Int32
    /// True when the run continues from its checkpoint.
    public var resumed: Bool
    public var trainCount: Int
    public var testCount: Int
    public var stepsPerEpoch: Int
    public var totalSteps: Int

    public init(pid: Int32, resumed: Bool, trainCount: Int, testCount: Int, stepsPerEpoch: Int, totalSteps: Int) {
        self.pid = pid
        self.resumed = resumed
        self.trainCount = trainCount
        self.testCount = testCount
        self.stepsPerEpoch = stepsPerEpoch
        self.totalSteps = totalSteps
    }
}

/// Where a run stands: `epoch` epochs finished (the 0-based epoch in progress) and `step`
/// steps done, earlier attempts included.
public struct RunPosition: Sendable, Equatable {
    public var epoch: Int
    public var step: Int

    public init(epoch: Int, step: Int) {
        self.epoch = epoch
        self.step = step
    }
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

    public init(epoch: Int, epochs: Int, globalStep: Int, totalSteps: Int, loss: Double, lr: Double,
                imagesPerSecond: Double, elapsedSeconds: Double) {
        self.epoch = epoch
        self.epochs = epochs
        self.globalStep = globalStep
        self.totalSteps = totalSteps
        self.loss = loss
        self.lr = lr
        self.imagesPerSecond = imagesPerSecond
        self.elapsedSeconds = elapsedSeconds
    }
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

    public init(epoch: Int, globalStep: Int, knnAccuracy: Double, linearAccuracy: Double?,
                alignment: Double, uniformity: Double) {
        self.epoch = epoch
        self.globalStep = globalStep
        self.knnAccuracy = knnAccuracy
        self.linearAccuracy = linearAccuracy
        self.alignment = alignment
        self.uniformity = uniformity
    }
}
