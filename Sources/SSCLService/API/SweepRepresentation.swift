import Foundation
import SSCLEngine
import SSCLStore

/// What the API shows for a sweep: its state, progress, the leaderboard and the trials, all
/// read from the store (the metric of a trial is its latest value of the sweep's metric).
struct SweepRepresentation {
    let sweep: SweepRecord
    let spec: SweepSpec
    let configurations: [[JSONMember]]
    let trials: [JobRecord]
    /// Each trial's latest metrics, by trial id.
    let metrics: [String: [String: Double]]
    /// ASHA's decisions in the order they were made, and the trials' rung values.
    let rungs: RungSnapshot?

    /// `withMetrics` false (the list) reads no trial's metrics.
    init(_ sweep: SweepRecord, store: JobStore, withMetrics: Bool = true) throws {
        self.sweep = sweep
        spec = try SweepSpec.parse(json: Data(sweep.submittedJSON.utf8))
        configurations = SweepSpec.configurationValues(resolvedJSON: (try? JSONValue.parse(Data(sweep.resolvedJSON.utf8))) ?? .null)
        trials = try store.trials(sweepID: sweep.id)
        var metrics: [String: [String: Double]] = [:]
        for trial in trials where withMetrics && trial.status != .queued { metrics[trial.id] = try store.latestMetrics(jobID: trial.id) }
        self.metrics = metrics
        rungs = withMetrics && spec.earlyStopping != nil ? try store.rungSnapshot(sweepID: sweep.id) : nil
    }

    /// The trial's job seed (from its resolved document).
    static func seed(_ trial: JobRecord) -> String {
        guard let job = try? JSONValue.parse(Data(trial.resolvedJSON.utf8)), let seed = job["seed"] else { return "" }
        return seed.jsonText()
    }

    /// The sweep metric of a succeeded trial: from its result (the final evaluation on the whole
    /// splits; `final_loss` for loss), else its latest metric point.
    func value(_ trial: JobRecord) -> Double? {
        guard trial.status == .succeeded else { return nil }
        let name = spec.metric.name.rawValue
        if let text = trial.resultJSON, let result = try? JSONValue.parse(Data(text.utf8)),
           case .number(let number)? = result[spec.metric.name == .loss ? "final_loss" : name], let v = Double(number), v.isFinite {
            return v
        }
        guard let v = metrics[trial.id]?[name], v.isFinite else { return nil }
        return v
    }

    var leaderboard: SweepLeaderboard {
        var values = [[Double]](repeating: [], count: configurations.count)
        for trial in trials {
            if let c = trial.sweepConfiguration, values.indices.contains(c), let v = value(trial) { values[c].append(v) }
        }
        var standings: [Int: SweepLeaderboard.RungStanding] = [:]
        for d in rungs?.decisions ?? [] {
            standings[d.configuration] = SweepLeaderboard.RungStanding(rung: d.rung, value: d.value, pruned: d.decision == "prune")
        }
        var pruned: [Int: Int] = [:]
        for trial in trials where trial.status == .pruned { pruned[trial.sweepConfiguration ?? -1, default: 0] += 1 }
        return SweepLeaderboard(values: values, goal: spec.metric.goal, standings: standings, prunedSeeds: pruned)
    }

    /// The sweep's JSON document; the list shows it without `detailed` (no sweep document,
    /// leaderboard, ASHA or trials).
    func document(detailed: Bool = true) -> SweepDocument {
        var counts = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0.rawValue, 0) })
        for trial in trials { counts[trial.status.rawValue, default: 0] += 1 }
        var d = SweepDocument(
            id: sweep.id, name: sweep.name, status: sweep.status.rawValue,
            createdAt: RFC3339.string(from: sweep.createdAt),
            finishedAt: sweep.finishedAt.map { RFC3339.string(from: $0) },
            maxConcurrent: sweep.maxConcurrent,
            metric: .init(name: spec.metric.name.rawValue, goal: spec.metric.goal.rawValue),
            progress: .init(trials: trials.count, finished: trials.filter(\.status.isFinished).count, byStatus: counts),
            links: .init(self: "/v1/sweeps/\(sweep.id)", results: "/v1/sweeps/\(sweep.id)/results.csv"))
        guard detailed else { return d }
        let finite = SweepDocument.finite
        d.sweep = JSONBody.value(sweep.submittedJSON)
        d.leaderboard = leaderboard.rows.map { row in
            SweepDocument.LeaderboardRow(
                configuration: row.configuration,
                parameters: .object(configurations.indices.contains(row.configuration) ? configurations[row.configuration] : []),
                finishedSeeds: row.finished, prunedSeeds: row.prunedSeeds, best: row.isBest,
                indistinguishableFromBest: row.indistinguishableFromBest,
                mean: finite(row.summary?.mean), std: finite(row.summary?.std),
                ci95: row.summary.flatMap { s in s.ci95.map { [finite(s.mean - $0), finite(s.mean + $0)] } },
                pValue: finite(row.pValue),
                asha: row.standing.map { s in
                    SweepDocument.Standing(rung: s.rung, epoch: rungEpoch(s.rung), mean: finite(s.value), decision: s.pruned ? "prune" : "promote")
                })
        }
        if let rungs {
            d.asha = SweepDocument.ASHA(
                reductionFactor: spec.earlyStopping?.reductionFactor ?? 0, minEpochs: spec.earlyStopping?.minEpochs ?? 0,
                decisions: rungs.decisions.map { x in
                    SweepDocument.Decision(sequence: x.sequence, configuration: x.configuration, rung: x.rung, epoch: rungEpoch(x.rung),
                                           mean: finite(x.value), decision: x.decision)
                },
                rungResults: rungs.results.map { r in
                    SweepDocument.RungResult(sequence: r.sequence, trial: r.jobID, configuration: r.configuration, rung: r.rung,
                                             epoch: r.epoch, value: finite(r.value))
                })
        }
        d.trials = trials.map { t in
            SweepDocument.Trial(id: t.id, configuration: t.sweepConfiguration ?? -1, seed: JSONBody.value(Self.seed(t)),
                                status: t.status.rawValue, metric: finite(value(t)))
        }
        return d
    }

    /// The epoch of ASHA's rung `k`: min_epochs · ηᵏ.
    func rungEpoch(_ k: Int) -> Int? {
        guard let asha = spec.earlyStopping else { return nil }
        var e = asha.minEpochs
        for _ in 0..<k {
            let (next, overflow) = e.multipliedReportingOverflow(by: asha.reductionFactor)
            if overflow { return nil }
            e = next
        }
        return e
    }

    /// One row per trial: id, configuration, seed, status, every parameter, then every metric
    /// any trial reported (its latest value; empty when it has none).
    func csv() -> String {
        let parameterNames = spec.parameters.map(\.path)
        let metricNames = Set(metrics.values.flatMap(\.keys)).sorted()
        var lines = [(["trial", "configuration", "seed", "status"] + parameterNames + metricNames).map(Self.field).joined(separator: ",")]
        for t in trials {
            let values = t.sweepConfiguration.flatMap { configurations.indices.contains($0) ? configurations[$0] : nil } ?? []
            let parameters = parameterNames.map { name in
                values.first { $0.key == name }.map { member -> String in
                    if case .string(let s) = member.value { return s }
                    return member.value.jsonText()
                } ?? ""
            }
            let numbers = metricNames.map { name in metrics[t.id]?[name].map { $0.isFinite ? String($0) : "" } ?? "" }
            let row = [t.id, t.sweepConfiguration.map(String.init) ?? "", Self.seed(t), t.status.rawValue] + parameters + numbers
            lines.append(row.map(Self.field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180: quoted when it holds a comma, quote or line break.
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
