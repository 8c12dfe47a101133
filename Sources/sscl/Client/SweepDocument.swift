/// A sweep as `GET /v1/sweeps/{id}` (and `POST /v1/sweeps`, `POST /v1/sweeps/{id}/cancel`) shows
/// it, the fields the client prints: state, progress, metric and the leaderboard (best first).
struct SweepDocument: Decodable, Sendable {
    struct Metric: Decodable, Sendable {
        var name: String
        var goal: String
    }

    struct Progress: Decodable, Sendable {
        var trials: Int
        var finished: Int
        /// Trials by job status; every status is present, most are 0.
        var byStatus: [String: Int]

        enum CodingKeys: String, CodingKey {
            case trials, finished, byStatus = "by_status"
        }
    }

    /// ASHA's last decision on a configuration: the rung, its epoch and the configuration's mean there.
    struct Standing: Decodable, Sendable, Equatable {
        var rung: Int
        var epoch: Int?
        /// Null when the value was not finite (a diverged trial, ranked last).
        var mean: Double?
        var decision: String
    }

    /// One configuration: its parameters, the metric over its finished seeds, and Welch's
    /// t-test against the best (`pValue` nil for the best itself or too few seeds).
    struct Row: Decodable, Sendable {
        var configuration: Int
        var parameters: [String: Value]
        var finishedSeeds: Int
        var prunedSeeds: Int?
        var best: Bool
        var indistinguishableFromBest: Bool
        var mean: Double?
        var std: Double?
        /// [low, high].
        var ci95: [Double]?
        var pValue: Double?
        var asha: Standing?

        enum CodingKeys: String, CodingKey {
            case configuration, parameters, best, mean, std, ci95, asha
            case finishedSeeds = "finished_seeds", prunedSeeds = "pruned_seeds"
            case indistinguishableFromBest = "indistinguishable_from_best", pValue = "p_value"
        }
    }

    /// A parameter's value as the configuration holds it (any JSON value a job field takes).
    indirect enum Value: Decodable, Sendable, Equatable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([Value])
        case object([String: Value])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([Value].self) { self = .array(a) }
            else { self = .object(try c.decode([String: Value].self)) }
        }
    }

    var id: String
    var name: String
    /// running, finished or cancelled.
    var status: String
    var createdAt: String?
    var finishedAt: String?
    var metric: Metric
    var progress: Progress
    /// Absent from the sweep list's short documents.
    var leaderboard: [Row]?

    enum CodingKeys: String, CodingKey {
        case id, name, status, metric, progress, leaderboard
        case createdAt = "created_at", finishedAt = "finished_at"
    }

    var isRunning: Bool { status == "running" }

    /// Sweep ids are "swp_" and a job id's time-ordered part; job ids start "job_".
    static let idPrefix = "swp_"
}
