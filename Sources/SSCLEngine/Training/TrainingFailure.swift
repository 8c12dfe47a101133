import Foundation

/// Why a run failed: the `error` event's payload, and what `TrainingRun.run` throws. The
/// code is stable (APIs and the job's `error.code` show it); the message is for people.
public struct TrainingFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable, Codable {
        case invalidJob = "invalid_job"
        case datasetError = "dataset_error"
        case timeLimit = "time_limit"
        case diverged
        case checkpointMismatch = "checkpoint_mismatch"
        case `internal`
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// Classifies an error thrown while preparing or training: `fallback` unless the error
    /// itself says better (an invalid job, a training error).
    public init(_ error: any Error, fallback: Code) {
        switch error {
        case let failure as TrainingFailure:
            self = failure
        case let invalid as JobSpecValidationError:
            self.init(code: .invalidJob, message: invalid.issues.map { "\($0.path): \($0.reason)" }.joined(separator: "; "))
        case let training as TrainingError:
            let code: Code = switch training {
            case .datasetTooSmall: .datasetError
            case .timeLimit: .timeLimit
            case .checkpointMismatch: .checkpointMismatch
            case .diverged: .diverged
            }
            self.init(code: code, message: training.description)
        default:
            self.init(code: fallback, message: "\(error)")
        }
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
