import Foundation

/// Sweeps: the sweep row and its trial jobs are written in one transaction (a sweep is never
/// half queued), and ASHA's decisions are recorded once per configuration and rung.
extension JobStore {
    /// Creates the sweep and queues its trials, in order (their ids sort as the list).
    public func createSweep(name: String, submittedJSON: String, resolvedJSON: String, maxConcurrent: Int,
                            trials: [NewTrial]) throws -> (sweep: SweepRecord, trials: [JobRecord]) {
        let result = try database.write { db -> (SweepRecord, [JobRecord]) in
            try lockIDAllocation(db)
            let now = now()
            let newest = try db.scalar(String.self, "SELECT max(id) FROM sweep").map { JobID.prefix + $0.dropFirst(Self.sweepPrefix.count) }
            let id = Self.sweepPrefix + JobID.next(at: now, after: newest).dropFirst(JobID.prefix.count)
            let sweep = SweepRecord(id: id, name: name, status: .running, submittedJSON: submittedJSON,
                                    resolvedJSON: resolvedJSON, maxConcurrent: maxConcurrent, createdAt: now)
            try db.execute("""
                INSERT INTO sweep (id, name, status, submitted_json, resolved_json, max_concurrent, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, id, name, sweep.status.rawValue, submittedJSON, resolvedJSON, maxConcurrent, RFC3339.string(from: now))
            var previous = try db.scalar(String.self, "SELECT max(id) FROM job")
            var jobs: [JobRecord] = []
            for trial in trials {
                let job = JobRecord(
                    id: JobID.next(at: now, after: previous), name: trial.name, status: .queued, priority: trial.priority,
                    submittedJSON: trial.submittedJSON, resolvedJSON: trial.resolvedJSON, createdAt: now,
                    maxRestarts: trial.maxRestarts, sweepID: id, sweepConfiguration: trial.configuration)
                try db.execute("""
                    INSERT INTO job (id, name, status, priority, submitted_json, resolved_json, created_at, max_restarts,
                                     sweep_id, sweep_configuration)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, job.id, job.name, job.status.rawValue, job.priority, job.submittedJSON, job.resolvedJSON,
                    RFC3339.string(from: now), job.maxRestarts, id, trial.configuration)
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
        try database.read { db in
            try db.queryOne("SELECT * FROM sweep WHERE id = ?", id).map(Self.sweepRecord)
        }
    }

    /// Sweeps newest first.
    public func listSweeps(limit: Int = 100) throws -> [SweepRecord] {
        try database.read { db in
            try db.query("SELECT * FROM sweep ORDER BY id DESC LIMIT ?", max(1, limit)).map(Self.sweepRecord)
        }
    }

    /// The sweep's trials in creation order (configuration-major, then seed).
    public func trials(sweepID: String) throws -> [JobRecord] {
        try database.read { db in
            try db.query("SELECT * FROM job WHERE sweep_id = ? ORDER BY id", sweepID).map(JobRecord.init(row:))
        }
    }

    /// Ends a running sweep (finished or cancelled); false when it had already ended.
    @discardableResult
    public func finishSweep(id: String, status: SweepRecord.Status) throws -> Bool {
        precondition(status != .running)
        return try database.write { db in
            try db.execute("UPDATE sweep SET status = ?, finished_at = ? WHERE id = ? AND status = 'running'",
                           status.rawValue, RFC3339.string(from: now()), id) > 0
        }
    }

    /// Running trials per sweep, with the sweep's limit: the scheduler starts no trial of a
    /// sweep that has `maxConcurrent` running.
    public func runningTrialsBySweep() throws -> SweepSlots {
        try database.read { db in try Self.runningTrialCounts(db) }
    }

    /// The running trials of each running sweep and its `max_concurrent`, in `db`'s transaction.
    static func runningTrialCounts(_ db: any SQLConnection) throws -> SweepSlots {
        var result: SweepSlots = [:]
        for row in try db.query("""
            SELECT s.id AS id, s.max_concurrent AS max_concurrent,
                   (SELECT count(*) FROM job j WHERE j.sweep_id = s.id AND j.status = 'running') AS running
            FROM sweep s WHERE s.status = 'running'
            """) {
            result[try row["id"]] = (try row["running"], try row["max_concurrent"])
        }
        return result
    }

    /// Records ASHA's decision for a configuration at a rung, computed by `decide` from the
    /// values recorded earlier at that rung, in one transaction. A decision already recorded
    /// is returned as it was (a restarted server never decides twice).
    public func recordDecision(sweepID: String, configuration: Int, rung: Int, value: Double,
                               decide: (_ earlier: [Double]) -> String) throws -> SweepDecisionRecord {
        try database.write { db in
            try lockSweep(db, id: sweepID)
            if let row = try db.queryOne("SELECT * FROM sweep_decision WHERE sweep_id = ? AND configuration = ? AND rung = ?",
                                         sweepID, configuration, rung) {
                return try Self.decisionRecord(row)
            }
            let earlier = try db.column(Double.self, "SELECT value FROM sweep_decision WHERE sweep_id = ? AND rung = ? ORDER BY sequence",
                                        sweepID, rung)
            let sequence = try db.scalar(Int.self, "SELECT count(*) FROM sweep_decision WHERE sweep_id = ?", sweepID) ?? 0
            let record = SweepDecisionRecord(configuration: configuration, rung: rung, sequence: sequence, value: value,
                                             decision: decide(earlier))
            try db.execute("""
                INSERT INTO sweep_decision (sweep_id, configuration, rung, sequence, value, decision, decided_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, sweepID, configuration, rung, sequence, value, record.decision, RFC3339.string(from: now()))
            return record
        }
    }

    /// The sweep's decisions in arrival order.
    public func decisions(sweepID: String) throws -> [SweepDecisionRecord] {
        try database.read { db in
            try db.query("SELECT * FROM sweep_decision WHERE sweep_id = ? ORDER BY sequence", sweepID)
                .map(Self.decisionRecord)
        }
    }

    /// PostgreSQL: locks the sweep's row until the transaction ends, so two nodes recording
    /// its rung results or decisions take turns (each numbers them by `sequence`). SQLite has
    /// one writer.
    func lockSweep(_ db: any SQLConnection, id: String) throws {
        if db.dialect == .postgres {
            try db.execute("SELECT id FROM sweep WHERE id = ? FOR UPDATE", id)
        }
    }

    static func decisionRecord(_ row: SQLRow) throws -> SweepDecisionRecord {
        SweepDecisionRecord(configuration: try row["configuration"], rung: try row["rung"], sequence: try row["sequence"],
                            value: try row["value"], decision: try row["decision"])
    }

    private static func sweepRecord(_ row: SQLRow) throws -> SweepRecord {
        let statusText: String = try row["status"]
        guard let status = SweepRecord.Status(rawValue: statusText) else {
            throw StoreError.corruptValue(column: "sweep.status", value: statusText)
        }
        return SweepRecord(
            id: try row["id"], name: try row["name"], status: status, submittedJSON: try row["submitted_json"],
            resolvedJSON: try row["resolved_json"], maxConcurrent: try row["max_concurrent"],
            createdAt: try JobRecord.date(row, "created_at"),
            finishedAt: try JobRecord.optionalDate(row, "finished_at"))
    }
}
