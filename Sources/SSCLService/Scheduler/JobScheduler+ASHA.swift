import Foundation
import SSCLEngine
import SSCLStore

/// ASHA early stopping of sweep trials (issue 10), on the scheduler's queue. A trial records
/// the sweep metric of its first evaluation at or after each rung epoch; the store settles the
/// sweep in the same transaction (`ASHA.settle` decides, queued trials of a pruned
/// configuration become `pruned` at once); the running ones are stopped here as a cancel stops
/// them (SIGTERM, the grace period, SIGKILL) and end `pruned`, their checkpoint and metrics kept.
/// The sweep is settled again whenever one of its trials ends (that may complete a rung) and at
/// start, so decisions missed or half applied by a killed server are made and applied then.
extension JobScheduler {
    /// What a running trial of an ASHA sweep needs to report its rungs.
    final class RungTracker {
        let sweepID: String
        let configuration: Int
        let asha: ASHA
        let metric: MetricName
        /// The rung epochs before the run's last epoch (a run that ends is not judged).
        var rungEpochs: [Int]
        /// The first rung not reported by this attempt.
        var nextRung = 0
        /// The latest training loss, the rung value of a sweep ranked by `loss`.
        var lastLoss = Double.nan

        init(sweepID: String, configuration: Int, asha: ASHA, metric: MetricName, epochs: Int) {
            self.sweepID = sweepID
            self.configuration = configuration
            self.asha = asha
            self.metric = metric
            rungEpochs = asha.rungs(epochs: epochs)
        }

        /// The sweep metric in an evaluation; NaN (a diverged run) ranks last.
        func value(_ report: EvaluationReport) -> Double {
            let v: Double? = switch metric {
            case .knnAccuracy: report.knnAccuracy
            case .linearAccuracy: report.linearAccuracy
            case .alignment: report.alignment
            case .uniformity: report.uniformity
            case .loss: lastLoss
            case .lr, .imagesPerSecond, .fnRateAll, .fnRateHard, .fnRateSyntheticOne, .fnRateSyntheticBoth, .fnWeightShare: nil
            }
            guard let v, v.isFinite else { return asha.worst }
            return v
        }
    }

    /// The stopping rule of a sweep with `early_stopping`, nil for one without (read once per
    /// sweep: a sweep's document never changes).
    func ashaRule(sweepID: String) -> (asha: ASHA, metric: MetricName)? {
        if let known = sweepRules[sweepID] { return known }
        guard let record = try? store.sweep(id: sweepID),
              let spec = try? SweepSpec.parse(json: Data(record.submittedJSON.utf8)) else { return nil }
        let rule = spec.earlyStopping.map { (ASHA(spec: $0, goal: spec.metric.goal), spec.metric.name) }
        sweepRules[sweepID] = .some(rule)
        return rule
    }

    /// The tracker of a trial about to start, nil when its sweep has no early stopping.
    func rungTracker(for job: JobRecord, spec: JobSpec?) -> RungTracker? {
        guard let sweepID = job.sweepID, let configuration = job.sweepConfiguration,
              let rule = ashaRule(sweepID: sweepID) else { return nil }
        return RungTracker(sweepID: sweepID, configuration: configuration, asha: rule.asha, metric: rule.metric,
                           epochs: spec?.epochs ?? 0)
    }

    /// An evaluation of a tracked trial: records every rung it has now reached.
    func reportRungs(_ job: RunningJob, _ report: EvaluationReport) {
        guard let tracker = job.rungs else { return }
        while tracker.nextRung < tracker.rungEpochs.count && tracker.rungEpochs[tracker.nextRung] <= report.epoch {
            let rung = tracker.nextRung
            tracker.nextRung += 1
            let value = tracker.value(report)
            job.pendingLogs.append("ASHA rung \(rung) (epoch \(tracker.rungEpochs[rung])): \(tracker.metric.rawValue) \(value) " +
                                   "at epoch \(report.epoch)")
            settleSweep(tracker.sweepID, recording: NewRungResult(
                jobID: job.id, configuration: tracker.configuration, rung: rung, epoch: report.epoch, value: value))
        }
    }

    /// Settles the sweep's rungs in the store and stops the running trials of pruned configurations.
    func settleSweep(_ sweepID: String, recording result: NewRungResult? = nil) {
        guard let rule = ashaRule(sweepID: sweepID) else { return }
        let settlement: RungSettlement
        do {
            settlement = try store.settleRungs(sweepID: sweepID, recording: result) { snapshot in
                Self.decide(rule.asha, snapshot)
            }
        } catch {
            logger.error("cannot settle the sweep's rungs", metadata: ["sweep": "\(sweepID)", "error": "\(error)"])
            return
        }
        for d in settlement.decisions {
            logger.info("ASHA decision", metadata: [
                "sweep": "\(sweepID)", "configuration": "\(d.configuration)", "rung": "\(d.rung)",
                "value": "\(d.value)", "decision": "\(d.decision)",
            ])
        }
        for job in settlement.prunedQueued {
            _ = try? store.appendLog(jobID: job.id, lines: ["pruned by ASHA before it started: its configuration was not promoted at a rung"])
        }
        for id in settlement.runningToStop {
            if let live = running[id] { requestStop(live, .prune) }
        }
    }

    /// `ASHA.settle` on the stored state.
    static func decide(_ asha: ASHA, _ snapshot: RungSnapshot) -> [NewRungDecision] {
        let trials = snapshot.trials.map { ASHA.Trial(id: $0.id, configuration: $0.configuration, ended: $0.status.isFinished) }
        let results = snapshot.results.map {
            ASHA.TrialRungValue(trial: $0.jobID, configuration: $0.configuration, rung: $0.rung, value: $0.value)
        }
        let decided = snapshot.decisions.map {
            ASHA.RungDecision(configuration: $0.configuration, rung: $0.rung, value: $0.value,
                              decision: ASHA.Decision(rawValue: $0.decision) ?? .prune)
        }
        return asha.settle(trials: trials, results: results, decided: decided).map {
            NewRungDecision(configuration: $0.configuration, rung: $0.rung, value: $0.value, decision: $0.decision.rawValue)
        }
    }

    /// At start: settles every running sweep with early stopping (decisions a killed server
    /// had not made, and queued trials of configurations it had pruned).
    func settleRunningSweeps() {
        do {
            for id in try store.runningSweepIDs() { settleSweep(id) }
        } catch {
            logger.error("cannot read the running sweeps: \(error)")
        }
    }
}
