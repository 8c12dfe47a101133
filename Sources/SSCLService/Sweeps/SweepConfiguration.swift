import SSCLEngine

/// One point of a sweep's space: a value for each parameter (in the sweep's parameter order).
public struct SweepConfiguration: Sendable, Equatable {
    /// Position in the expansion: grid order, or draw order for random.
    public var index: Int
    public var values: [JSONValue]
    /// For `values` parameters, which entry of the list was taken (nil for distributions):
    /// errors name `parameters["loss.beta"].values[2]`.
    public var valueIndices: [Int?]

    public init(index: Int, values: [JSONValue], valueIndices: [Int?]) {
        self.index = index
        self.values = values
        self.valueIndices = valueIndices
    }
}

/// One job of a sweep: a configuration run with one seed.
public struct SweepTrial: Sendable, Equatable {
    public var configuration: Int
    public var seed: UInt64
    /// The trial's job document: `base` with the configuration's values and `seed` set.
    public var job: JSONValue
    /// The validated job.
    public var spec: JobSpec

    public init(configuration: Int, seed: UInt64, job: JSONValue, spec: JobSpec) {
        self.configuration = configuration
        self.seed = seed
        self.job = job
        self.spec = spec
    }

    public static func == (a: SweepTrial, b: SweepTrial) -> Bool {
        a.configuration == b.configuration && a.seed == b.seed && a.job == b.job
    }
}
