import Foundation
import GRDB

/// Sweeps: the sweep row and its trial jobs are written in one transaction (a sweep is never
/// half queued), and ASHA's decisions are recorded once per configuration and rung.
extension JobStore {
    /// Creates the sweep and queues its trials, in order (their ids sort as the list).
    public func createSweep(name: String, submittedJSON: String, resolvedJSON: String, maxConcurrent: Int,
                            trials: [NewTrial]) throws -> (sweep: SweepRecord, trials: [JobRecord]) {
        let result = try pool.write { db -> (SweepRecord, [JobRecord]) in
            let now = now()
            let newest = try String.fetchOne(db, sql: "SELECT max(id) FROM sweep").map { JobID.prefix + $0.dropFirst(Self.sweepPrefix.count) }
            let id = Self.sweepPrefix + JobID.next(at: now, after: newest).dropFirst(JobID.prefix.count)
            let sweep = SweepRecord(id: id, name: name, status: .running, submittedJSON: submittedJSON,
                                    resolvedJSON: resolvedJSON, maxConcurrent: maxConcurrent, createdAt: now)
            try db.execute(
                sql: """
                    INSERT INTO sweep (id, name, status, submitted_json, resolved_json, max_concurrent, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, name, sweep.status.rawValue, submittedJSON, resolvedJSON, maxConcurrent, RFC3339.string(from: now)])
            var previous = try String.fetchOne(db, sql: "SELECT max(id) FROM job")
            var jobs: [JobRecord] = []
            for trial in trials {
                let job = JobRecord(
                    id: JobID.next(at: now, after: previous), name: trial.name, status: .queued, priority: trial.priority,
                    submittedJSON: trial.submittedJSON, resolvedJSON: trial.resolvedJSON, createdAt: now,
                    maxRestarts: trial.maxRestarts, sweepID: id, sweepConfiguration: trial.configuration)
                try db.execute(
                    sql: """
                        INSERT INTO job (id, name, status, priority, submitted_json, resolved_json, created_at, max_restarts,
                                         sweep_id, sweep_configuration)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [job.id, job.name, job.status.rawValue, job.priority, job.submittedJSON, job.resolvedJSON,
                                RFC3339.string(from: now), job.maxRestarts, id, trial.configuration])
                try appendStatusEvent(db, job: job, time: now)
                previous = job.id
                jobs.append(job)
            }
            return (sweep, jobs)
        }
        logger.debug("sweep queued", metadata: ["sweep": "\(result.0.id)", "trials": "\(result.1.count)"])
        didAppendEvents(jobIDs: result.1.map(\.id))
        return result
    }

    static let sweepPrefix = "swp_"

    public func sweep(id: String) throws -> SweepRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sweep WHERE id = ?", arguments: [id]).map(Self.sweepRecord)
        }
    }

    /// Sweeps newest first.
    public func listSweeps(limit: Int = 100) throws -> [SweepRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sweep ORDER BY id DESC LIMIT ?", arguments: [max(1, limit)]).map(Self.sweepRecord)
        }
    }

    /// The sweep's trials in creation order (configuration-major, then seed).
    public func trials(sweepID: String) throws -> [JobRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM job WHERE sweep_id = ? ORDER BY id", arguments: [sweepID]).map(JobRecord.init(row:))
        }
    }

    /// Ends a running sweep (finished or cancelled); false when it had already ended.
    @discardableResult
    public func finishSweep(id: String, status: SweepRecord.Status) throws -> Bool {
        precondition(status != .running)
        return try pool.write { db in
            try db.execute(sql: "UPDATE sweep SET status = ?, finished_at = ? WHERE id = ? AND status = 'running'",
                           arguments: [status.rawValue, RFC3339.string(from: now()), id])
            return db.changesCount > 0
        }
    }

    /// Running trials per sweep, with the sweep's limit: the scheduler starts no trial of a
    /// sweep that has `maxConcurrent` running.
    public func runningTrialsBySweep() throws -> [String: (running: Int, limit: Int)] {
        try pool.read { db in
            var result: [String: (running: Int, limit: Int)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT s.id AS id, s.max_concurrent AS max_concurrent,
                       (SELECT count(*) FROM job j WHERE j.sweep_id = s.id AND j.status = 'running') AS running
                FROM sweep s WHERE s.status = 'running'
                """) {
                result[row["id"]] = (row["running"], row["max_concurrent"])
            }
            return result
        }
    }

    /// Records ASHA's decision for a configuration at a rung, computed by `decide` from the
    /// values recorded earlier at that rung, in one transaction. A decision already recorded
    /// is returned as it was (a restarted server never decides twice).
    public func recordDecision(sweepID: String, configuration: Int, rung: Int, value: Double,
                               decide: (_ earlier: [Double]) -> String) throws -> SweepDecisionRecord {
        try pool.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM sweep_decision WHERE sweep_id = ? AND configuration = ? AND rung = ?",
                                          arguments: [sweepID, configuration, rung]) {
                return Self.decisionRecord(row)
            }
            let earlier = try Double.fetchAll(db, sql: "SELECT value FROM sweep_decision WHERE sweep_id = ? AND rung = ? ORDER BY sequence",
                                              arguments: [sweepID, rung])
            let sequence = try Int.fetchOne(db, sql: "SELECT count(*) FROM sweep_decision WHERE sweep_id = ?", arguments: [sweepID]) ?? 0
            let record = SweepDecisionRecord(configuration: configuration, rung: rung, sequence: sequence, value: value,
                                             decision: decide(earlier))
            try db.execute(
                sql: """
                    INSERT INTO sweep_decision (sweep_id, configuration, rung, sequence, value, decision, decided_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [sweepID, configuration, rung, sequence, value, record.decision, RFC3339.string(from: now())])
            return record
        }
    }

    /// The sweep's decisions in arrival order.
    public func decisions(sweepID: String) throws -> [SweepDecisionRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sweep_decision WHERE sweep_id = ? ORDER BY sequence", arguments: [sweepID])
                .map(Self.decisionRecord)
        }
    }

    private static func decisionRecord(_ row: Row) -> SweepDecisionRecord {
        SweepDecisionRecord(configuration: row["configuration"], rung: row["rung"], sequence: row["sequence"],
                            value: row["value"], decision: row["decision"])
    }

    private static func sweepRecord(_ row: Row) throws -> SweepRecord {
        guard let status = SweepRecord.Status(rawValue: row["status"]) else {
            throw StoreError.corruptValue(column: "sweep.status", value: row["status"] ?? "NULL")
        }
        return SweepRecord(
            id: row["id"], name: row["name"], status: status, submittedJSON: row["submitted_json"],
            resolvedJSON: row["resolved_json"], maxConcurrent: row["max_concurrent"],
            createdAt: try JobRecord.date(row, "created_at"),
            finishedAt: try (row["finished_at"] as String?).map { _ in try JobRecord.date(row, "finished_at") })
    }
}
