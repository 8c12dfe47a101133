import SSCLEngine

/// One searched field of the job document: its dotted path (`"loss.beta"`) and its domain.
public struct SweepParameter: Sendable, Equatable {
    public enum Domain: Sendable, Equatable {
        /// These values (grid: each of them; random: one drawn uniformly).
        case values([JSONValue])
        /// A real number drawn uniformly from [min, max].
        case uniform(min: Double, max: Double)
        /// A positive real whose logarithm is uniform on [log min, log max].
        case logUniform(min: Double, max: Double)
        /// An integer drawn uniformly from min...max (both included).
        case intUniform(min: Int, max: Int)
    }

    public var path: String
    public var domain: Domain

    public init(path: String, domain: Domain) {
        self.path = path
        self.domain = domain
    }

    /// How the parameter is named in errors: `parameters["loss.beta"]`.
    public var documentPath: String { "parameters[\(JSONValue.string(path).jsonText())]" }
}
