import Foundation

/// A trial's metric at an ASHA rung, as the scheduler reports it.
public struct NewRungResult: Sendable, Equatable {
    public var jobID: String
    public var configuration: Int
    public var rung: Int
    /// The epoch of the evaluation that gave the value.
    public var epoch: Int
    public var value: Double

    public init(jobID: String, configuration: Int, rung: Int, epoch: Int, value: Double) {
        self.jobID = jobID
        self.configuration = configuration
        self.rung = rung
        self.epoch = epoch
        self.value = value
    }
}

/// One stored row of `sweep_rung_result`.
public struct RungResultRecord: Sendable, Equatable {
    public var jobID: String
    public var configuration: Int
    public var rung: Int
    public var epoch: Int
    /// Arrival order within the sweep, from 0.
    public var sequence: Int
    public var value: Double
}

/// What the rule sees of a sweep when it settles its rungs, read in the write transaction.
public struct RungSnapshot: Sendable {
    public struct Trial: Sendable, Equatable {
        public var id: String
        public var configuration: Int
        public var status: JobStatus
    }

    public var trials: [Trial]
    /// In arrival order.
    public var results: [RungResultRecord]
    /// In the order they were made.
    public var decisions: [SweepDecisionRecord]
}

/// A decision the rule made, to record.
public struct NewRungDecision: Sendable, Equatable {
    public var configuration: Int
    public var rung: Int
    public var value: Double
    /// "promote" or "prune".
    public var decision: String

    public init(configuration: Int, rung: Int, value: Double, decision: String) {
        self.configuration = configuration
        self.rung = rung
        self.value = value
        self.decision = decision
    }
}

/// What settling changed.
public struct RungSettlement: Sendable {
    /// The decisions made now, as recorded.
    public var decisions: [SweepDecisionRecord] = []
    /// Queued trials of pruned configurations, now `pruned` (they never run).
    public var prunedQueued: [JobRecord] = []
    /// Running trials of pruned configurations: the scheduler stops their workers and marks
    /// them `pruned` when they have ended.
    public var runningToStop: [String] = []
}

/// ASHA's state in the store: the trials' rung results and the decisions, written in one
/// transaction with their effect on queued trials, so a server killed at any point resumes
/// with the same decisions.
extension JobStore {
    /// Records `result` (if given; a trial's first value at a rung stands, a repeat after a
    /// resume is ignored), then asks `decide` which decisions the stored state now calls for,
    /// records them, and marks the queued trials of every pruned configuration `pruned`, all
    /// in one transaction. `decide` runs inside it: it must only compute. A sweep that is no
    /// longer running (cancelled, finished) decides nothing.
    public func settleRungs(sweepID: String, recording result: NewRungResult? = nil,
                            decide: (RungSnapshot) -> [NewRungDecision]) throws -> RungSettlement {
        let settlement = try database.write { db -> RungSettlement in
            let now = now()
            try lockSweep(db, id: sweepID)
            if let result {
                let sequence = try db.scalar(Int.self, "SELECT coalesce(max(sequence) + 1, 0) FROM sweep_rung_result WHERE sweep_id = ?",
                                             sweepID) ?? 0
                try db.execute("""
                    INSERT INTO sweep_rung_result (sweep_id, job_id, configuration, rung, epoch, sequence, value, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """, sweepID, result.jobID, result.configuration, result.rung, result.epoch, sequence,
                    result.value, RFC3339.string(from: now))
            }
            var settlement = RungSettlement()
            // A cancelled sweep keeps what its trials reported but decides nothing more.
            guard try db.scalar(String.self, "SELECT status FROM sweep WHERE id = ?", sweepID) == "running" else {
                return settlement
            }
            let snapshot = try Self.rungSnapshot(db, sweepID: sweepID)
            var sequence = (snapshot.decisions.map(\.sequence).max() ?? -1) + 1
            for d in decide(snapshot) {
                let record = SweepDecisionRecord(configuration: d.configuration, rung: d.rung, sequence: sequence,
                                                 value: d.value, decision: d.decision)
                try db.execute("""
                    INSERT INTO sweep_decision (sweep_id, configuration, rung, sequence, value, decision, decided_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, sweepID, d.configuration, d.rung, sequence, d.value, d.decision, RFC3339.string(from: now))
                settlement.decisions.append(record)
                sequence += 1
            }
            let pruned = Set((snapshot.decisions + settlement.decisions).filter { $0.decision == "prune" }.map(\.configuration))
            for trial in snapshot.trials where pruned.contains(trial.configuration) {
                switch trial.status {
                case .queued:
                    // Only if still queued: on PostgreSQL another node may have started it since
                    // the snapshot; it is then stopped like any running trial.
                    let changed = try db.execute("""
                        UPDATE job SET status = 'pruned', finished_at = ?, cancel_requested = 0, resume_from_checkpoint = 0
                        WHERE id = ? AND status = 'queued'
                        """, RFC3339.string(from: now), trial.id)
                    let job = try JobRecord.require(db, id: trial.id)
                    if changed == 1 {
                        try appendStatusEvent(db, job: job, time: now)
                        settlement.prunedQueued.append(job)
                    } else if job.status == .running {
                        settlement.runningToStop.append(trial.id)
                    }
                case .running:
                    settlement.runningToStop.append(trial.id)
                default:
                    break
                }
            }
            return settlement
        }
        if !settlement.prunedQueued.isEmpty { didAppendEvents(jobIDs: settlement.prunedQueued.map(\.id)) }
        return settlement
    }

    /// The sweep's trials, rung results and decisions.
    public func rungSnapshot(sweepID: String) throws -> RungSnapshot {
        try database.read { db in try Self.rungSnapshot(db, sweepID: sweepID) }
    }

    private static func rungSnapshot(_ db: any SQLConnection, sweepID: String) throws -> RungSnapshot {
        let trials = try db.query("SELECT id, status, sweep_configuration FROM job WHERE sweep_id = ? ORDER BY id", sweepID).map { row in
            let statusText: String = try row["status"]
            guard let status = JobStatus(rawValue: statusText) else {
                throw StoreError.corruptValue(column: "job.status", value: statusText)
            }
            return RungSnapshot.Trial(id: try row["id"], configuration: try row["sweep_configuration"] ?? -1, status: status)
        }
        let results = try db.query("SELECT * FROM sweep_rung_result WHERE sweep_id = ? ORDER BY sequence", sweepID).map { row in
            RungResultRecord(jobID: try row["job_id"], configuration: try row["configuration"], rung: try row["rung"],
                             epoch: try row["epoch"], sequence: try row["sequence"], value: try row["value"])
        }
        let decisions = try db.query("SELECT * FROM sweep_decision WHERE sweep_id = ? ORDER BY sequence", sweepID)
            .map(decisionRecord)
        return RungSnapshot(trials: trials, results: results, decisions: decisions)
    }

    /// Sweeps still running (the scheduler settles their rungs at start).
    public func runningSweepIDs() throws -> [String] {
        try database.read { db in try db.column(String.self, "SELECT id FROM sweep WHERE status = 'running' ORDER BY id") }
    }
}
