import Foundation

/// Status changes. Each is one transaction that checks the transition is legal, updates the
/// job and appends a `status` event.
extension JobStore {
    /// queued → running: the next attempt starts now.
    public func markStarted(id: String) throws -> JobRecord {
        try transition(id: id, to: .running, action: "start", allowedFrom: [.queued]) { db, _, now in
            try db.execute("""
                UPDATE job SET status = 'running', attempt = attempt + 1, started_at = ?, cancel_requested = 0
                WHERE id = ?
                """, RFC3339.string(from: now), id)
        }
    }

    /// Ends the job: running → succeeded | failed | cancelled | pruned; queued → failed | cancelled | pruned.
    public func finish(
        id: String, status: JobStatus, errorCode: String? = nil, errorMessage: String? = nil, resultJSON: String? = nil,
        lease: JobLease? = nil
    ) throws -> JobRecord {
        let allowed: Set<JobStatus> = switch status {
        case .succeeded: [.running]
        case .failed, .cancelled, .pruned: [.running, .queued]
        case .queued, .running: []  // not an end state: use markStarted or requeue
        }
        return try transition(id: id, to: status, action: "finish as \(status.rawValue)", allowedFrom: allowed, lease: lease) { db, _, now in
            try db.execute("""
                UPDATE job SET status = ?, finished_at = ?, error_code = ?, error_message = ?, result_json = ?,
                    cancel_requested = 0, resume_from_checkpoint = 0
                WHERE id = ?
                """, status.rawValue, RFC3339.string(from: now), errorCode, errorMessage, resultJSON, id)
        }
    }

    /// queued | running → succeeded with `resultJSON`, for a job whose worker finished and wrote
    /// its result file but whose end the database does not know (the server died before it
    /// recorded it, or the database lost its last writes): it must not run again.
    public func finishFromResultFile(id: String, resultJSON: String, lease: JobLease? = nil) throws -> JobRecord {
        try transition(id: id, to: .succeeded, action: "finish from its result file",
                       allowedFrom: [.queued, .running], lease: lease) { db, _, now in
            try db.execute("""
                UPDATE job SET status = 'succeeded', finished_at = ?1, started_at = coalesce(started_at, ?1),
                    error_code = NULL, error_message = NULL, result_json = ?2,
                    cancel_requested = 0, resume_from_checkpoint = 0
                WHERE id = ?3
                """, RFC3339.string(from: now), resultJSON, id)
        }
    }

    /// Back to the queue, either a restart after the worker died (`countsAsRestart`: running
    /// only, counted against `max_restarts`) or a retry (running, failed or cancelled; the job
    /// gets its full restart budget again). Without `resumeFromCheckpoint` the next run starts
    /// from scratch, so the job's progress and metric points are dropped.
    public func requeue(id: String, resumeFromCheckpoint: Bool, countsAsRestart: Bool, lease: JobLease? = nil) throws -> JobRecord {
        let allowed: Set<JobStatus> = countsAsRestart ? [.running] : [.running, .failed, .cancelled]
        return try transition(id: id, to: .queued, action: countsAsRestart ? "restart" : "retry", allowedFrom: allowed,
                              lease: lease) { db, job, _ in
            if countsAsRestart && job.restartsUsed >= job.maxRestarts {
                throw StoreError.restartLimitReached(jobID: id, maxRestarts: job.maxRestarts)
            }
            try db.execute("""
                UPDATE job SET status = 'queued', finished_at = NULL, error_code = NULL, error_message = NULL,
                    result_json = NULL, cancel_requested = 0, resume_from_checkpoint = ?,
                    restarts_used = CASE WHEN ? = 1 THEN restarts_used + 1 ELSE 0 END
                WHERE id = ?
                """, resumeFromCheckpoint, countsAsRestart, id)
            if !resumeFromCheckpoint {
                try db.execute("UPDATE job SET progress_json = NULL WHERE id = ?", id)
                try db.execute("DELETE FROM metric WHERE job_id = ?", id)
            }
        }
    }

    /// Marks a running job as asked to stop, with a `status` event (a live page shows the
    /// cancel at once; the job ends when its worker has stopped). A queued job is cancelled at
    /// once with `finish(status: .cancelled)`.
    @discardableResult
    public func setCancelRequested(id: String) throws -> JobRecord {
        try transition(id: id, to: .running, action: "request cancel", allowedFrom: [.running]) { db, _, _ in
            try db.execute("UPDATE job SET cancel_requested = 1 WHERE id = ?", id)
        }
    }

    /// Run at start: jobs left `running` by a server that died go back to the queue to resume
    /// from their last checkpoint (not counted as restarts; `attempt` grows at their next
    /// start), and those whose cancel was pending become `cancelled`. Returns the changed jobs.
    public func recoverInterruptedJobs() throws -> [JobRecord] {
        let changed = try database.write { db in
            let now = now()
            let lock = db.dialect == .postgres ? " FOR UPDATE" : ""
            let ids = try db.column(String.self, "SELECT id FROM job WHERE status = 'running' ORDER BY id\(lock)")
            return try ids.map { id in
                try db.execute("""
                    UPDATE job SET
                        status = CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE 'queued' END,
                        finished_at = CASE WHEN cancel_requested = 1 THEN ?1 END,
                        resume_from_checkpoint = CASE WHEN cancel_requested = 1 THEN 0 ELSE 1 END,
                        cancel_requested = 0
                    WHERE id = ?2
                    """, RFC3339.string(from: now), id)
                try endLease(db, jobID: id, reason: "recovered", time: now)
                let job = try JobRecord.require(db, id: id)
                try appendStatusEvent(db, job: job, time: now)
                return job
            }
        }
        didAppendEvents(jobIDs: changed.map(\.id))
        for job in changed {
            logger.info("recovered interrupted job", metadata: ["job": "\(job.id)", "status": "\(job.status.rawValue)"])
        }
        return changed
    }

    /// Deletes a finished job with its metrics, events, logs and idempotency keys; false if no
    /// such job. Queued and running jobs must be cancelled first.
    public func deleteJob(id: String) throws -> Bool {
        try database.write { db in
            guard let job = try JobRecord.fetchOneLocked(db, id: id) else { return false }
            guard job.status.isFinished else {
                throw StoreError.illegalTransition(jobID: id, from: job.status, to: "delete")
            }
            try db.execute("DELETE FROM job WHERE id = ?", id)
            return true
        }
    }

    /// Checks `lease` (fencing) and `allowedFrom`, runs `update`, ends the lease of a job that
    /// stops running, re-reads the job and appends its status event.
    private func transition(
        id: String, to status: JobStatus, action: String, allowedFrom: Set<JobStatus>, lease: JobLease? = nil,
        update: (any SQLConnection, JobRecord, Date) throws -> Void
    ) throws -> JobRecord {
        let job = try database.write { db in
            try checkLease(db, lease)
            let job = try JobRecord.requireLocked(db, id: id)
            guard allowedFrom.contains(job.status) else {
                throw StoreError.illegalTransition(jobID: id, from: job.status, to: action)
            }
            let now = now()
            try update(db, job, now)
            if job.status == .running && status != .running {
                try endLease(db, jobID: id, reason: status.rawValue, time: now)
            }
            let updated = try JobRecord.require(db, id: id)
            try appendStatusEvent(db, job: updated, time: now)
            return updated
        }
        logger.debug("job \(status.rawValue)", metadata: ["job": "\(id)", "attempt": "\(job.attempt)"])
        didAppendEvents(jobIDs: [id])
        return job
    }
}
