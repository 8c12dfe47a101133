import Foundation

/// The right of one node to run one job, until `expiresAt` unless renewed. `generation` grows
/// at every claim of the job, so a node that lost the job (its lease expired and another node
/// took it) names an old generation and its writes are refused (`StoreError.leaseLost`).
public struct JobLease: Sendable, Hashable {
    public var jobID: String
    /// The node that holds it (`hostname:pid:random`).
    public var node: String
    public var generation: Int64
    public var expiresAt: Date

    public init(jobID: String, node: String, generation: Int64, expiresAt: Date) {
        self.jobID = jobID
        self.node = node
        self.generation = generation
        self.expiresAt = expiresAt
    }
}

/// What a heartbeat learned: the leases still held (with their new expiry), the ones lost
/// (their workers must die at once), and the held jobs whose cancel was asked on any node.
public struct LeaseRenewal: Sendable, Equatable {
    public var renewed: [JobLease] = []
    public var lost: [JobLease] = []
    public var cancelRequested: Set<String> = []
}

/// One row of the `lease` history: a lease is live from `acquiredAt` until `endedAt`.
public struct LeaseHistoryRecord: Sendable, Equatable {
    public var jobID: String
    public var generation: Int64
    public var node: String
    public var acquiredAt: Date
    public var endedAt: Date?
    public var endReason: String?
}

/// Leases: how many nodes share one queue without running a job twice. A node claims a job
/// and its lease in one transaction, renews the leases of its running jobs every few seconds,
/// and every write it makes for a job names the lease (fencing). Any node re-queues the jobs
/// whose lease expired (their node died or was cut off). Written against `SQLConnection`, so it
/// runs on both engines; on PostgreSQL claims skip the rows other nodes are claiming.
extension JobStore {
    /// True when many nodes may share this store (PostgreSQL): leases can expire under a live
    /// node, and jobs found running at start may belong to other nodes.
    public var isShared: Bool {
        if case .postgres = location { return true }
        return false
    }

    /// Running trials per running sweep, with the sweep's `max_concurrent`.
    public typealias SweepSlots = [String: (running: Int, limit: Int)]

    /// Claims the first queued job (priority desc, then age) that `eligible` accepts and starts
    /// it under a new lease of `node`: running, `attempt` + 1, a status event and a lease history
    /// row, all in one transaction. `eligible` sees the running trials of each sweep as read in
    /// that transaction (a sweep's `max_concurrent`). Nil when nothing can run.
    public func claimNextJob(
        node: String, leaseSeconds: Double,
        eligible: (JobRecord, SweepSlots) -> Bool = { _, _ in true }
    ) throws -> (JobRecord, JobLease)? {
        let claimed: (JobRecord, JobLease)? = try database.write { db in
            let sweeps = try Self.sweepSlots(db)
            let pageSize = 32
            var offset = 0
            while true {
                // On PostgreSQL the candidates are locked, skipping those another node locked.
                let lock = db.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
                let candidates = try db.query("""
                    SELECT * FROM job WHERE status = 'queued'
                    ORDER BY priority DESC, created_at, id LIMIT ? OFFSET ?\(lock)
                    """, pageSize, offset).map(JobRecord.init(row:))
                for job in candidates where eligible(job, sweeps) {
                    return try start(db, job: job, node: node, leaseSeconds: leaseSeconds)
                }
                if candidates.count < pageSize { return nil }
                offset += pageSize
            }
        }
        if let (job, lease) = claimed {
            logger.debug("job claimed", metadata: ["job": "\(job.id)", "node": "\(node)", "generation": "\(lease.generation)"])
            didAppendEvents(jobIDs: [job.id])
        }
        return claimed
    }

    /// queued → running under a new lease of `node`, in the claim's transaction.
    private func start(_ db: any SQLConnection, job: JobRecord, node: String, leaseSeconds: Double) throws -> (JobRecord, JobLease) {
        let now = now()
        let expires = now.addingTimeInterval(leaseSeconds)
        let changed = try db.execute("""
            UPDATE job SET status = 'running', attempt = attempt + 1, started_at = ?, cancel_requested = 0,
                lease_owner = ?, lease_generation = lease_generation + 1, lease_expires_at = ?
            WHERE id = ? AND status = 'queued'
            """, RFC3339.string(from: now), node, RFC3339.string(from: expires), job.id)
        guard changed == 1 else { throw StoreError.illegalTransition(jobID: job.id, from: job.status, to: "claim") }
        let started = try JobRecord.require(db, id: job.id)
        guard let generation = try db.scalar(Int64.self, "SELECT lease_generation FROM job WHERE id = ?", job.id) else {
            throw StoreError.corruptValue(column: "job.lease_generation", value: "NULL")
        }
        try db.execute("""
            INSERT INTO lease (job_id, generation, node, acquired_at) VALUES (?, ?, ?, ?)
            """, job.id, generation, node, RFC3339.string(from: now))
        try appendStatusEvent(db, job: started, time: now)
        return (started, JobLease(jobID: job.id, node: node, generation: generation, expiresAt: expires))
    }

    /// The running trials of each running sweep. On PostgreSQL the running sweeps' rows are
    /// locked first, so two nodes claiming trials of one sweep count each other's claims.
    static func sweepSlots(_ db: any SQLConnection) throws -> SweepSlots {
        if db.dialect == .postgres {
            try db.execute("SELECT id FROM sweep WHERE status = 'running' ORDER BY id FOR UPDATE")
        }
        return try runningTrialCounts(db)
    }

    /// Extends `leases` by `leaseSeconds` from now. A lease whose job is no longer running under
    /// exactly that node and generation is lost; a held job whose cancel was asked (on any API
    /// replica) is listed in `cancelRequested`.
    public func renewLeases(_ leases: [JobLease], leaseSeconds: Double) throws -> LeaseRenewal {
        guard !leases.isEmpty else { return LeaseRenewal() }
        return try database.write { db in
            let now = now()
            let expires = now.addingTimeInterval(leaseSeconds)
            var renewal = LeaseRenewal()
            for lease in leases {
                let changed = try db.execute("""
                    UPDATE job SET lease_expires_at = ?
                    WHERE id = ? AND status = 'running' AND lease_owner = ? AND lease_generation = ?
                    """, RFC3339.string(from: expires), lease.jobID, lease.node, lease.generation)
                guard changed == 1 else {
                    renewal.lost.append(lease)
                    continue
                }
                var renewed = lease
                renewed.expiresAt = expires
                renewal.renewed.append(renewed)
                if try db.scalar(Bool.self, "SELECT cancel_requested FROM job WHERE id = ?", lease.jobID) == true {
                    renewal.cancelRequested.insert(lease.jobID)
                }
            }
            return renewal
        }
    }

    /// Running jobs whose lease expired (their node died, froze or lost the network) go back to
    /// the queue to resume from their checkpoint, counted as a restart as a crashed worker is;
    /// out of restarts they fail with `worker_crashed`, and a pending cancel ends them
    /// `cancelled`. Each gets a log line saying which node stopped answering. Returns them.
    public func requeueExpiredLeases() throws -> [JobRecord] {
        let changed: [JobRecord] = try database.write { db in
            let now = now()
            let time = RFC3339.string(from: now)
            let lock = db.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let expired = try db.query("""
                SELECT * FROM job WHERE status = 'running' AND lease_expires_at IS NOT NULL AND lease_expires_at < ?
                ORDER BY id\(lock)
                """, time)
            return try expired.map { row in
                let job = try JobRecord(row: row)
                let node: String = (try row["lease_owner"] as String?) ?? "?"
                let reason = "the lease of node \(node) expired (the node died, froze or lost the database)"
                let line: String
                if job.cancelRequested {
                    line = "\(reason); its cancel was pending: the job ends cancelled"
                    try db.execute("""
                        UPDATE job SET status = 'cancelled', finished_at = ?, cancel_requested = 0, resume_from_checkpoint = 0
                        WHERE id = ?
                        """, time, job.id)
                } else if job.restartsUsed < job.maxRestarts {
                    line = "\(reason); restarting from the last checkpoint (restart \(job.restartsUsed + 1) of \(job.maxRestarts))"
                    try db.execute("""
                        UPDATE job SET status = 'queued', resume_from_checkpoint = 1, restarts_used = restarts_used + 1
                        WHERE id = ?
                        """, job.id)
                } else {
                    line = "\(reason) after \(job.restartsUsed) restart(s): the job fails"
                    try db.execute("""
                        UPDATE job SET status = 'failed', finished_at = ?, error_code = 'worker_crashed', error_message = ?,
                            cancel_requested = 0, resume_from_checkpoint = 0
                        WHERE id = ?
                        """, time, "\(reason) after \(job.restartsUsed) restart(s)", job.id)
                }
                try endLease(db, jobID: job.id, reason: "expired", time: now)
                try appendLogLine(db, jobID: job.id, line: line, time: now)
                let updated = try JobRecord.require(db, id: job.id)
                try appendStatusEvent(db, job: updated, time: now)
                return updated
            }
        }
        didAppendEvents(jobIDs: changed.map(\.id))
        for job in changed {
            logger.notice("job taken back from a node whose lease expired", metadata: ["job": "\(job.id)", "status": "\(job.status.rawValue)"])
        }
        return changed
    }

    /// Every lease the job ever had, oldest first.
    public func leaseHistory(jobID: String) throws -> [LeaseHistoryRecord] {
        try database.read { db in
            try db.query("SELECT * FROM lease WHERE job_id = ? ORDER BY generation", jobID).map { row in
                LeaseHistoryRecord(
                    jobID: try row["job_id"], generation: try row["generation"], node: try row["node"],
                    acquiredAt: try JobRecord.date(row, "acquired_at"),
                    endedAt: try JobRecord.optionalDate(row, "ended_at"), endReason: try row["end_reason"])
            }
        }
    }

    /// The job's current lease, if it is running under one.
    public func currentLease(jobID: String) throws -> JobLease? {
        try database.read { db in
            guard let row = try db.queryOne("""
                SELECT lease_owner, lease_generation, lease_expires_at FROM job WHERE id = ? AND status = 'running'
                """, jobID),
                let node: String = try row["lease_owner"] else { return nil }
            guard let expires = try JobRecord.optionalDate(row, "lease_expires_at") else { return nil }
            return JobLease(jobID: jobID, node: node, generation: try row["lease_generation"], expiresAt: expires)
        }
    }

    // MARK: - Inside other writes

    /// Fencing: throws `StoreError.leaseLost` unless the job is running under exactly `lease`
    /// (nil: the write is not a node's write for a job it runs, and is not checked). Call first
    /// in the write's transaction; on PostgreSQL it locks the job's row, so the lease cannot be
    /// taken between the check and the write.
    func checkLease(_ db: any SQLConnection, _ lease: JobLease?) throws {
        guard let lease else { return }
        let lock = db.dialect == .postgres ? " FOR UPDATE" : ""
        guard let row = try db.queryOne("SELECT status, lease_owner, lease_generation FROM job WHERE id = ?\(lock)", lease.jobID),
              (try row["status"] as String) == JobStatus.running.rawValue,
              (try row["lease_owner"] as String?) == lease.node,
              (try row["lease_generation"] as Int64) == lease.generation
        else { throw StoreError.leaseLost(lease.jobID) }
    }

    /// Ends the job's live lease (history row closed with `reason`) when it stops running.
    func endLease(_ db: any SQLConnection, jobID: String, reason: String, time: Date) throws {
        try db.execute("UPDATE lease SET ended_at = ?, end_reason = ? WHERE job_id = ? AND ended_at IS NULL",
                       RFC3339.string(from: time), reason, jobID)
        try db.execute("UPDATE job SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ?", jobID)
    }

    /// One log line and its `log` event, in the caller's transaction.
    private func appendLogLine(_ db: any SQLConnection, jobID: String, line: String, time: Date) throws {
        let stamp = RFC3339.string(from: time)
        guard let id = try db.scalar(Int64.self, "INSERT INTO log (job_id, time, line) VALUES (?, ?, ?) RETURNING id",
                                     jobID, stamp, line) else {
            throw StoreError.corruptValue(column: "log.id", value: "NULL")
        }
        try appendEvent(db, jobID: jobID, type: .log, dataJSON: try Self.json(LogEventData(id: id, line: line, time: stamp)), time: time)
    }
}
