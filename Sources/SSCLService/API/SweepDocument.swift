import Foundation
import SSCLEngine
import SSCLStore

/// The JSON the API shows for a sweep (`GET /v1/sweeps/{id}`, the sweep list, create and
/// cancel): its state and progress; detailed documents add the submitted sweep, the
/// leaderboard, ASHA's decisions (with early stopping) and the trials. Nil values are `null`
/// where the key is always there; JSON has no infinity, so a non-finite number is null too.
struct SweepDocument: Encodable {
    var id: String
    var name: String
    var status: String
    var createdAt: String
    @NullWhenNil var finishedAt: String?
    var maxConcurrent: Int
    var metric: Metric
    var progress: Progress
    var links: Links
    /// Detailed documents only (`sweep`, `leaderboard`, `trials`; `asha` with early stopping).
    var sweep: JSONValue?
    var leaderboard: [LeaderboardRow]?
    var asha: ASHA?
    var trials: [Trial]?

    struct Metric: Encodable {
        var name: String
        var goal: String
    }

    struct Progress: Encodable {
        var trials: Int
        var finished: Int
        /// Every status, 0 when no trial has it.
        var byStatus: [String: Int]

        enum CodingKeys: String, CodingKey {
            case trials, finished
            case byStatus = "by_status"
        }
    }

    struct Links: Encodable {
        var `self`: String
        var results: String
    }

    struct LeaderboardRow: Encodable {
        var configuration: Int
        var parameters: JSONValue
        var finishedSeeds: Int
        var prunedSeeds: Int
        var best: Bool
        var indistinguishableFromBest: Bool
        /// Null until a seed has finished.
        @NullWhenNil var mean: Double?
        @NullWhenNil var std: Double?
        /// `[mean - half-width, mean + half-width]`.
        @NullWhenNil var ci95: [Double?]?
        @NullWhenNil var pValue: Double?
        /// The configuration's last ASHA standing (null without one).
        @NullWhenNil var asha: Standing?

        enum CodingKeys: String, CodingKey {
            case configuration, parameters, best, mean, std, ci95, asha
            case finishedSeeds = "finished_seeds", prunedSeeds = "pruned_seeds"
            case indistinguishableFromBest = "indistinguishable_from_best", pValue = "p_value"
        }
    }

    struct Standing: Encodable {
        var rung: Int
        @NullWhenNil var epoch: Int?
        @NullWhenNil var mean: Double?
        var decision: String

        enum CodingKeys: String, CodingKey { case rung, epoch, mean, decision }
    }

    struct ASHA: Encodable {
        var reductionFactor: Int
        var minEpochs: Int
        var decisions: [Decision]
        var rungResults: [RungResult]

        enum CodingKeys: String, CodingKey {
            case decisions
            case reductionFactor = "reduction_factor", minEpochs = "min_epochs", rungResults = "rung_results"
        }
    }

    struct Decision: Encodable {
        var sequence: Int
        var configuration: Int
        var rung: Int
        @NullWhenNil var epoch: Int?
        @NullWhenNil var mean: Double?
        var decision: String

        enum CodingKeys: String, CodingKey { case sequence, configuration, rung, epoch, mean, decision }
    }

    struct RungResult: Encodable {
        var sequence: Int
        var trial: String
        var configuration: Int
        var rung: Int
        var epoch: Int
        @NullWhenNil var value: Double?

        enum CodingKeys: String, CodingKey { case sequence, trial, configuration, rung, epoch, value }
    }

    struct Trial: Encodable {
        var id: String
        /// -1 for a trial without one (none the store makes).
        var configuration: Int
        var seed: JSONValue
        var status: String
        /// The sweep metric of a succeeded trial, else null.
        @NullWhenNil var metric: Double?

        enum CodingKeys: String, CodingKey { case id, configuration, seed, status, metric }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status, metric, progress, links, sweep, leaderboard, asha, trials
        case createdAt = "created_at", finishedAt = "finished_at", maxConcurrent = "max_concurrent"
    }

    /// JSON has no infinity: a non-finite value (a diverged trial's rung value) is null.
    static func finite(_ x: Double?) -> Double? {
        guard let x, x.isFinite else { return nil }
        return x
    }
}
