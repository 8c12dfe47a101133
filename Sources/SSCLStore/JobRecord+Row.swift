import Foundation

extension JobRecord {
    /// Reads a `SELECT * FROM job` row on either engine.
    init(row: SQLRow) throws {
        let statusText: String = try row["status"]
        guard let status = JobStatus(rawValue: statusText) else {
            throw StoreError.corruptValue(column: "job.status", value: statusText)
        }
        self.init(
            id: try row["id"], name: try row["name"], status: status, priority: try row["priority"],
            submittedJSON: try row["submitted_json"], resolvedJSON: try row["resolved_json"],
            createdAt: try Self.date(row, "created_at"),
            startedAt: try Self.optionalDate(row, "started_at"),
            finishedAt: try Self.optionalDate(row, "finished_at"),
            attempt: try row["attempt"], maxRestarts: try row["max_restarts"], restartsUsed: try row["restarts_used"],
            progressJSON: try row["progress_json"], resultJSON: try row["result_json"],
            errorCode: try row["error_code"], errorMessage: try row["error_message"],
            resumeFromCheckpoint: try row["resume_from_checkpoint"], cancelRequested: try row["cancel_requested"],
            sweepID: try row["sweep_id"], sweepConfiguration: try row["sweep_configuration"])
    }

    /// A non-null RFC 3339 time column of `row`.
    static func date(_ row: SQLRow, _ column: String) throws -> Date {
        let text: String = try row[column]
        guard let date = RFC3339.date(from: text) else { throw StoreError.corruptValue(column: column, value: text) }
        return date
    }

    /// A nullable RFC 3339 time column of `row`.
    static func optionalDate(_ row: SQLRow, _ column: String) throws -> Date? {
        let text: String? = try row[column]
        return try text.map { _ in try date(row, column) }
    }

    static func fetchOne(_ db: any SQLConnection, id: String) throws -> JobRecord? {
        try db.queryOne("SELECT * FROM job WHERE id = ?", id).map(JobRecord.init(row:))
    }

    /// The job, or `StoreError.jobNotFound`.
    static func require(_ db: any SQLConnection, id: String) throws -> JobRecord {
        guard let job = try fetchOne(db, id: id) else { throw StoreError.jobNotFound(id) }
        return job
    }

    /// The job, locked on PostgreSQL until the transaction ends (`FOR UPDATE`), so a write
    /// that checks the job first (a status transition) cannot race another node's. SQLite
    /// runs one writer at a time: a plain read.
    static func fetchOneLocked(_ db: any SQLConnection, id: String) throws -> JobRecord? {
        guard db.dialect == .postgres else { return try fetchOne(db, id: id) }
        return try db.queryOne("SELECT * FROM job WHERE id = ? FOR UPDATE", id).map(JobRecord.init(row:))
    }

    /// The job locked as `fetchOneLocked`, or `StoreError.jobNotFound`.
    static func requireLocked(_ db: any SQLConnection, id: String) throws -> JobRecord {
        guard let job = try fetchOneLocked(db, id: id) else { throw StoreError.jobNotFound(id) }
        return job
    }
}
