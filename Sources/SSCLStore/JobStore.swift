import Foundation
import GRDB
import Logging

/// The one owner of the SQLite database: every write is a transaction that keeps the job's
/// invariants (status transitions, attempt counts) and appends the matching events.
/// Safe to use from many threads: reads run concurrently with the single writer (WAL).
/// All calls block, so call them from dedicated threads, not from Swift's cooperative pool.
public final class JobStore: Sendable {
    /// The database file.
    public let path: String
    /// Where the store lives (`--store`).
    public let location: StoreLocation
    /// The engine every statement runs on; new code uses it, never `pool` directly.
    let database: any SQLDatabase
    /// GRDB's pool behind `database`, for the code not yet moved onto `SQLConnection`.
    let pool: DatabasePool
    let logger: Logger
    private let clock: @Sendable () -> Date
    private let observers = EventObservers()

    /// Opens (creating if needed) the SQLite database at `path` and applies the pending
    /// migrations of `migrations`.
    public convenience init(
        path: String, migrations: URL, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        try self.init(location: .sqlite(path: path), migrations: migrations, logger: logger, clock: clock)
    }

    /// Opens the store at `location` and applies its pending migrations: SQLite's from
    /// `migrations`, PostgreSQL's from `migrations/postgres`.
    public init(
        location: StoreLocation, migrations: URL, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        guard case .sqlite(let path) = location else {
            throw StoreError.unsupportedLocation(location.description)
        }
        let sqlite = try SQLiteDatabase(path: path)
        self.path = path
        self.location = location
        self.database = sqlite
        self.pool = sqlite.pool
        self.logger = logger
        self.clock = clock
        let applied = try Migrator.migrate(pool, directory: migrations, logger: logger)
        logger.info("opened job store", metadata: ["store": "\(location)", "migrations_applied": "\(applied.count)"])
    }

    /// Closes the database; later calls throw.
    public func close() throws {
        try pool.close()
    }

    /// Calls `observer` with a job's id after each committed write that appended events for that
    /// job, on the writing thread: event streams can wake at once instead of polling. Keep it
    /// short and non-blocking.
    public func observeEvents(_ observer: @escaping @Sendable (_ jobID: String) -> Void) {
        observers.add(observer)
    }

    /// Tells the observers that `jobIDs` have new events; call after the write committed.
    func didAppendEvents(jobIDs: [String]) {
        observers.notify(jobIDs)
    }

    /// The current time as stored: whole milliseconds.
    func now() -> Date {
        RFC3339.truncatedToMilliseconds(clock())
    }

    // MARK: - Jobs

    /// Queues a new job. With an idempotency key, the job and the key are written in the same
    /// transaction; a key seen before replays its job (same body hash) or is a conflict.
    public func createJob(
        name: String, priority: Int, maxRestarts: Int, submittedJSON: String, resolvedJSON: String,
        idempotencyKey: String? = nil, bodySHA256: String? = nil
    ) throws -> CreateOutcome {
        if idempotencyKey != nil && bodySHA256 == nil { throw StoreError.missingBodyHash }
        let outcome: CreateOutcome = try pool.write { db in
            if let idempotencyKey,
               let row = try Row.fetchOne(db, sql: "SELECT * FROM idempotency_key WHERE key = ?", arguments: [idempotencyKey]) {
                let jobID: String = row["job_id"]
                guard (row["body_sha256"] as String) == bodySHA256 else { return .conflict(existingJobID: jobID) }
                var stored: StoredResponse?
                if let code = row["status_code"] as Int?, let json = row["response_json"] as String? {
                    stored = StoredResponse(statusCode: code, json: json)
                }
                return .replayed(try JobRecord.require(db, id: jobID), stored)
            }
            let now = now()
            let newest = try String.fetchOne(db, sql: "SELECT max(id) FROM job")
            let job = JobRecord(
                id: JobID.next(at: now, after: newest), name: name, status: .queued, priority: priority,
                submittedJSON: submittedJSON, resolvedJSON: resolvedJSON, createdAt: now, maxRestarts: maxRestarts)
            try db.execute(
                sql: """
                    INSERT INTO job (id, name, status, priority, submitted_json, resolved_json, created_at, max_restarts)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [job.id, name, job.status.rawValue, priority, submittedJSON, resolvedJSON,
                            RFC3339.string(from: now), maxRestarts])
            if let idempotencyKey, let bodySHA256 {
                try db.execute(
                    sql: "INSERT INTO idempotency_key (key, body_sha256, job_id, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [idempotencyKey, bodySHA256, job.id, RFC3339.string(from: now)])
            }
            try appendStatusEvent(db, job: job, time: now)
            return .created(job)
        }
        if case .created(let job) = outcome {
            logger.debug("job queued", metadata: ["job": "\(job.id)"])
            didAppendEvents(jobIDs: [job.id])
        }
        return outcome
    }

    /// Saves the response sent for an idempotent submission, so a replay can send it again.
    public func saveResponse(idempotencyKey: String, statusCode: Int, json: String) throws {
        try pool.write { db in
            try db.execute(
                sql: "UPDATE idempotency_key SET status_code = ?, response_json = ? WHERE key = ?",
                arguments: [statusCode, json, idempotencyKey])
        }
    }

    /// Forgets idempotency keys created before `date` (their jobs stay); returns how many.
    @discardableResult
    public func deleteIdempotencyKeys(createdBefore date: Date) throws -> Int {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM idempotency_key WHERE created_at < ?", arguments: [RFC3339.string(from: date)])
            return db.changesCount
        }
    }

    public func job(id: String) throws -> JobRecord? {
        try pool.read { db in try JobRecord.fetchOne(db, id: id) }
    }

    /// Jobs newest first, `limit` at a time. `nextCursor` (opaque) fetches the page after this
    /// one and is nil on the last page. Ids grow with creation, so pages neither skip nor repeat
    /// jobs, even while new ones are submitted. `sweepID`: only that sweep's trials.
    public func listJobs(status: JobStatus? = nil, sweepID: String? = nil, limit: Int,
                         cursor: String? = nil) throws -> (jobs: [JobRecord], nextCursor: String?) {
        let limit = max(1, limit)
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let status {
            conditions.append("status = ?")
            arguments += [status.rawValue]
        }
        if let sweepID {
            // Served by the partial index job_by_sweep (migration 0006).
            conditions.append("sweep_id = ?")
            arguments += [sweepID]
        }
        if let cursor {
            conditions.append("id < ?")
            arguments += [try Self.decodeCursor(cursor)]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [limit + 1]
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM job \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments)
        }
        let jobs = try rows.prefix(limit).map(JobRecord.init(row:))
        let next = rows.count > limit ? jobs.last.map { Self.encodeCursor($0.id) } : nil
        return (jobs, next)
    }

    /// The queue: queued jobs by priority (highest first), then submission time.
    public func queuedJobs() throws -> [JobRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM job WHERE status = 'queued' ORDER BY priority DESC, created_at ASC, id ASC
                """).map(JobRecord.init(row:))
        }
    }

    /// 1 for the next job to run; nil when the job is not queued.
    public func queuePosition(id: String) throws -> Int? {
        try pool.read { db in
            guard let job = try JobRecord.fetchOne(db, id: id), job.status == .queued else { return nil }
            let ahead = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM job
                WHERE status = 'queued' AND (priority > ?1
                    OR (priority = ?1 AND (created_at < ?2 OR (created_at = ?2 AND id < ?3))))
                """, arguments: [job.priority, RFC3339.string(from: job.createdAt), job.id]) ?? 0
            return ahead + 1
        }
    }

    /// Every job's status by id: what start-up reconciliation compares the job folders with.
    public func statusesByID() throws -> [String: JobStatus] {
        let rows = try pool.read { db in try Row.fetchAll(db, sql: "SELECT id, status FROM job") }
        var statuses: [String: JobStatus] = [:]
        for row in rows {
            if let status = JobStatus(rawValue: row["status"]) { statuses[row["id"]] = status }
        }
        return statuses
    }

    /// The number of jobs in each status, zeros included.
    public func countsByStatus() throws -> [JobStatus: Int] {
        let rows = try pool.read { db in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM job GROUP BY status") }
        var counts = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0, 0) })
        for row in rows {
            if let status = JobStatus(rawValue: row["status"]) { counts[status] = row["n"] }
        }
        return counts
    }

    private static func encodeCursor(_ id: String) -> String {
        Data(id.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func decodeCursor(_ cursor: String) throws -> String {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let id = String(data: data, encoding: .utf8),
              JobID.isValid(id) else { throw StoreError.invalidCursor(cursor) }
        return id
    }
}
