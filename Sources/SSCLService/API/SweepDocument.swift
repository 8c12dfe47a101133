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
    var finishedAt: String?
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
        var mean: Double?
        var std: Double?
        /// `[mean - half-width, mean + half-width]`.
        var ci95: [Double?]?
        var pValue: Double?
        /// The configuration's last ASHA standing (null without one).
        var asha: Standing?

        enum CodingKeys: String, CodingKey {
            case configuration, parameters, best, mean, std, ci95, asha
            case finishedSeeds = "finished_seeds", prunedSeeds = "pruned_seeds"
            case indistinguishableFromBest = "indistinguishable_from_best", pValue = "p_value"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(configuration, forKey: .configuration)
            try c.encode(parameters, forKey: .parameters)
            try c.encode(finishedSeeds, forKey: .finishedSeeds)
            try c.encode(prunedSeeds, forKey: .prunedSeeds)
            try c.encode(best, forKey: .best)
            try c.encode(indistinguishableFromBest, forKey: .indistinguishableFromBest)
            try c.encode(mean, forKey: .mean)
            try c.encode(std, forKey: .std)
            try c.encode(ci95, forKey: .ci95)
            try c.encode(pValue, forKey: .pValue)
            try c.encode(asha, forKey: .asha)
        }
    }

    struct Standing: Encodable {
        var rung: Int
        var epoch: Int?
        var mean: Double?
        var decision: String

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rung, forKey: .rung)
            try c.encode(epoch, forKey: .epoch)
            try c.encode(mean, forKey: .mean)
            try c.encode(decision, forKey: .decision)
        }

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
        var epoch: Int?
        var mean: Double?
        var decision: String

        enum CodingKeys: String, CodingKey { case sequence, configuration, rung, epoch, mean, decision }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(sequence, forKey: .sequence)
            try c.encode(configuration, forKey: .configuration)
            try c.encode(rung, forKey: .rung)
            try c.encode(epoch, forKey: .epoch)
            try c.encode(mean, forKey: .mean)
            try c.encode(decision, forKey: .decision)
        }
    }

    struct RungResult: Encodable {
        var sequence: Int
        var trial: String
        var configuration: Int
        var rung: Int
        var epoch: Int
        var value: Double?

        enum CodingKeys: String, CodingKey { case sequence, trial, configuration, rung, epoch, value }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(sequence, forKey: .sequence)
            try c.encode(trial, forKey: .trial)
            try c.encode(configuration, forKey: .configuration)
            try c.encode(rung, forKey: .rung)
            try c.encode(epoch, forKey: .epoch)
            try c.encode(value, forKey: .value)
        }
    }

    struct Trial: Encodable {
        var id: String
        /// -1 for a trial without one (none the store makes).
        var configuration: Int
        var seed: JSONValue
        var status: String
        /// The sweep metric of a succeeded trial, else null.
        var metric: Double?

        enum CodingKeys: String, CodingKey { case id, configuration, seed, status, metric }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(configuration, forKey: .configuration)
            try c.encode(seed, forKey: .seed)
            try c.encode(status, forKey: .status)
            try c.encode(metric, forKey: .metric)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status, metric, progress, links, sweep, leaderboard, asha, trials
        case createdAt = "created_at", finishedAt = "finished_at", maxConcurrent = "max_concurrent"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(status, forKey: .status)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(maxConcurrent, forKey: .maxConcurrent)
        try c.encode(metric, forKey: .metric)
        try c.encode(progress, forKey: .progress)
        try c.encode(links, forKey: .links)
        try c.encodeIfPresent(sweep, forKey: .sweep)
        try c.encodeIfPresent(leaderboard, forKey: .leaderboard)
        try c.encodeIfPresent(asha, forKey: .asha)
        try c.encodeIfPresent(trials, forKey: .trials)
    }

    /// JSON has no infinity: a non-finite value (a diverged trial's rung value) is null.
    static func finite(_ x: Double?) -> Double? {
        guard let x, x.isFinite else { return nil }
        return x
    }
}
