import Foundation

/// One row of the `sweep` table. The documents stay text: the store does not interpret them.
public struct SweepRecord: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case running, finished, cancelled }

    public var id: String
    public var name: String
    public var status: Status
    /// The sweep document as the user sent it.
    public var submittedJSON: String
    /// The validated sweep with its configurations (what the service reads back).
    public var resolvedJSON: String
    public var maxConcurrent: Int
    public var createdAt: Date
    public var finishedAt: Date?

    public init(id: String, name: String, status: Status, submittedJSON: String, resolvedJSON: String,
                maxConcurrent: Int, createdAt: Date, finishedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.status = status
        self.submittedJSON = submittedJSON
        self.resolvedJSON = resolvedJSON
        self.maxConcurrent = maxConcurrent
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}

/// A trial to queue with its sweep: the job's documents and the configuration it runs.
public struct NewTrial: Sendable, Equatable {
    public var name: String
    public var priority: Int
    public var maxRestarts: Int
    public var configuration: Int
    public var submittedJSON: String
    public var resolvedJSON: String

    public init(name: String, priority: Int, maxRestarts: Int, configuration: Int, submittedJSON: String, resolvedJSON: String) {
        self.name = name
        self.priority = priority
        self.maxRestarts = maxRestarts
        self.configuration = configuration
        self.submittedJSON = submittedJSON
        self.resolvedJSON = resolvedJSON
    }
}

/// One recorded ASHA decision: a configuration's mean metric at a rung and what was decided.
public struct SweepDecisionRecord: Sendable, Equatable {
    public var configuration: Int
    public var rung: Int
    /// Arrival order within the sweep, from 0.
    public var sequence: Int
    public var value: Double
    /// "promote" or "prune".
    public var decision: String

    public init(configuration: Int, rung: Int, sequence: Int, value: Double, decision: String) {
        self.configuration = configuration
        self.rung = rung
        self.sequence = sequence
        self.value = value
        self.decision = decision
    }
}
