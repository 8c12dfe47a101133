import SSCLEngine

/// A sweep document, validated: a base job, the parameters to vary, how to pick their values,
/// the seeds each configuration runs with, the metric to rank by and optional ASHA early
/// stopping. Pure data (no HTTP or SQL): the API parses it, the store keeps its JSON, the
/// scheduler expands it into ordinary jobs.
///
/// It lives in SSCLService, not the engine: the engine trains one job; a sweep is a set of
/// jobs and a ranking of them, which only the service schedules and stores.
public struct SweepSpec: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable { case grid, random }

    public var name = "sweep"
    /// The job document every trial starts from (a JSON object; trials set parameters and `seed`).
    public var base: JSONValue
    /// In document order: the grid's first parameter varies slowest.
    public var parameters: [SweepParameter]
    public var method: Method = .grid
    /// Configurations drawn by `random` (nil for grid).
    public var trials: Int?
    /// Seeds the random draws of `random` (the sweep's own seed, not a trial's).
    public var seed: UInt64 = 0
    /// Every configuration runs once per seed; each sets the trial's job `seed`.
    public var seeds: [UInt64] = [0]
    public var metric = SweepMetric(name: .knnAccuracy, goal: .maximize)
    public var earlyStopping: ASHASpec?
    /// How many of the sweep's trials may run at once.
    public var maxConcurrent = 1
    /// The priority of every trial job.
    public var priority: Int64 = 0

    public init(base: JSONValue, parameters: [SweepParameter]) {
        self.base = base
        self.parameters = parameters
    }
}

/// The metric a sweep ranks configurations by, and which way is better.
public struct SweepMetric: Sendable, Equatable {
    public enum Goal: String, Sendable, CaseIterable { case maximize, minimize }
    public var name: MetricName
    public var goal: Goal

    public init(name: MetricName, goal: Goal) {
        self.name = name
        self.goal = goal
    }

    /// True when `a` is strictly better than `b`.
    public func isBetter(_ a: Double, than b: Double) -> Bool { goal == .maximize ? a > b : a < b }
}

/// ASHA's settings: rungs at `minEpochs · reductionFactor^k` epochs.
public struct ASHASpec: Sendable, Equatable {
    public var reductionFactor = 3
    public var minEpochs = 1

    public init(reductionFactor: Int = 3, minEpochs: Int = 1) {
        self.reductionFactor = reductionFactor
        self.minEpochs = minEpochs
    }
}
