import Foundation
import Logging

/// The one owner of the database: every write is a transaction that keeps the job's
/// invariants (status transitions, attempt counts) and appends the matching events. The SQL is
/// written once and runs on SQLite (one machine) and on PostgreSQL (many nodes sharing it).
/// Safe to use from many threads. All calls block, so call them from dedicated threads, not
/// from Swift's cooperative pool.
public final class JobStore: Sendable {
    /// The database file (SQLite), or the server's URL without its password (PostgreSQL).
    public let path: String
    /// Where the store lives (`--store`).
    public let location: StoreLocation
    /// The engine every statement runs on.
    let database: any SQLDatabase
    let logger: Logger
    private let clock: @Sendable () -> Date
    private let observers: EventObservers
    /// PostgreSQL only: hears the events other processes append (`pg_notify` in `appendEvent`).
    private let listener: PostgresListener?

    /// The channel of `NOTIFY`: the payload is the id of a job with new events.
    static let eventChannel = "sscl_events"

    /// Opens (creating if needed) the SQLite database at `path` and applies the pending
    /// migrations of `migrations`.
    public convenience init(
        path: String, migrations: URL, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        try self.init(location: .sqlite(path: path), migrations: migrations, logger: logger, clock: clock)
    }

    /// Opens the store at `location` and applies its pending migrations: SQLite's from
    /// `migrations`, PostgreSQL's from `migrations/postgres`. On PostgreSQL a thread listens for
    /// the events other nodes append and wakes this store's observers.
    public init(
        location: StoreLocation, migrations: URL, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        let observers = EventObservers()
        let applied: [String]
        switch location {
        case .sqlite(let path):
            let sqlite = try SQLiteDatabase(path: path)
            applied = try Migrator.migrate(sqlite.pool, directory: migrations, logger: logger)
            self.path = path
            database = sqlite
            listener = nil
        case .postgres(let url):
            let postgres = try PostgresDatabase(url: url)
            applied = try Migrator.migrate(postgres, directory: migrations.appendingPathComponent("postgres", isDirectory: true),
                                           logger: logger)
            let listener = PostgresListener(
                url: url, channel: Self.eventChannel, logger: logger,
                ignoring: { [weak postgres] pid in postgres?.isOwnBackend(pid) ?? false },
                onNotification: { jobID in observers.notify([jobID]) })
            listener.start()
            self.path = location.description
            database = postgres
            self.listener = listener
        }
        self.location = location
        self.logger = logger
        self.clock = clock
        self.observers = observers
        logger.info("opened job store", metadata: ["store": "\(location)", "migrations_applied": "\(applied.count)"])
    }

    deinit { listener?.stop() }

    /// Closes the database (and stops the PostgreSQL listener); later calls throw.
    public func close() throws {
        listener?.stop()
        try database.close()
    }

    /// Calls `observer` with a job's id after each committed write that appended events for that
    /// job: on the writing thread for this store's writes, on the listener thread for other
    /// processes' writes (PostgreSQL). Event streams can wake at once instead of polling. Keep
    /// it short and non-blocking.
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

    /// PostgreSQL: serialises the writers that allocate ids (`max(id)` then a greater one) and
    /// check idempotency keys, across nodes, until the transaction ends. SQLite has one writer.
    func lockIDAllocation(_ db: any SQLConnection) throws {
        if db.dialect == .postgres {
            try db.execute("SELECT pg_advisory_xact_lock(?)", Self.idAllocationLockKey)
        }
    }

    /// The bytes of "sscl-ids".
    static let idAllocationLockKey: Int64 = 0x7373_636C_2D69_6473

    // MARK: - Jobs

    /// Queues a new job. With an idempotency key, the job and the key are written in the same
    /// transaction; a key seen before replays its job (same body hash) or is a conflict.
    public func createJob(
        name: String, priority: Int, maxRestarts: Int, submittedJSON: String, resolvedJSON: String,
        idempotencyKey: String? = nil, bodySHA256: String? = nil
    ) throws -> CreateOutcome {
        if idempotencyKey != nil && bodySHA256 == nil { throw StoreError.missingBodyHash }
        let outcome: CreateOutcome = try database.write { db in
            try lockIDAllocation(db)
            if let idempotencyKey,
               let row = try db.queryOne("SELECT * FROM idempotency_key WHERE key = ?", idempotencyKey) {
                let jobID: String = try row["job_id"]
                guard (try row["body_sha256"] as String) == bodySHA256 else { return .conflict(existingJobID: jobID) }
                var stored: StoredResponse?
                if let code = try row["status_code"] as Int?, let json = try row["response_json"] as String? {
                    stored = StoredResponse(statusCode: code, json: json)
                }
                return .replayed(try JobRecord.require(db, id: jobID), stored)
            }
            let now = now()
            let newest = try db.scalar(String.self, "SELECT max(id) FROM job")
            let job = JobRecord(
                id: JobID.next(at: now, after: newest), name: name, status: .queued, priority: priority,
                submittedJSON: submittedJSON, resolvedJSON: resolvedJSON, createdAt: now, maxRestarts: maxRestarts)
            try db.execute("""
                INSERT INTO job (id, name, status, priority, submitted_json, resolved_json, created_at, max_restarts)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, job.id, name, job.status.rawValue, priority, submittedJSON, resolvedJSON,
                RFC3339.string(from: now), maxRestarts)
            if let idempotencyKey, let bodySHA256 {
                try db.execute("INSERT INTO idempotency_key (key, body_sha256, job_id, created_at) VALUES (?, ?, ?, ?)",
                               idempotencyKey, bodySHA256, job.id, RFC3339.string(from: now))
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
        try database.write { db in
            try db.execute("UPDATE idempotency_key SET status_code = ?, response_json = ? WHERE key = ?",
                           statusCode, json, idempotencyKey)
        }
    }

    /// Forgets idempotency keys created before `date` (their jobs stay); returns how many.
    @discardableResult
    public func deleteIdempotencyKeys(createdBefore date: Date) throws -> Int {
        try database.write { db in
            try db.execute("DELETE FROM idempotency_key WHERE created_at < ?", RFC3339.string(from: date))
        }
    }

    public func job(id: String) throws -> JobRecord? {
        try database.read { db in try JobRecord.fetchOne(db, id: id) }
    }

    /// Jobs newest first, `limit` at a time. `nextCursor` (opaque) fetches the page after this
    /// one and is nil on the last page. Ids grow with creation, so pages neither skip nor repeat
    /// jobs, even while new ones are submitted. `sweepID`: only that sweep's trials.
    public func listJobs(status: JobStatus? = nil, sweepID: String? = nil, limit: Int,
                         cursor: String? = nil) throws -> (jobs: [JobRecord], nextCursor: String?) {
        let limit = max(1, limit)
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let status {
            conditions.append("status = ?")
            arguments.append(.text(status.rawValue))
        }
        if let sweepID {
            // Served by the partial index job_by_sweep (migration 0006).
            conditions.append("sweep_id = ?")
            arguments.append(.text(sweepID))
        }
        if let cursor {
            conditions.append("id < ?")
            arguments.append(.text(try Self.decodeCursor(cursor)))
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(.integer(Int64(limit + 1)))
        let rows = try database.read { db in
            try db.query("SELECT * FROM job \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments)
        }
        let jobs = try rows.prefix(limit).map(JobRecord.init(row:))
        let next = rows.count > limit ? jobs.last.map { Self.encodeCursor($0.id) } : nil
        return (jobs, next)
    }

    /// The queue: queued jobs by priority (highest first), then submission time.
    public func queuedJobs() throws -> [JobRecord] {
        try database.read { db in
            try db.query("""
                SELECT * FROM job WHERE status = 'queued' ORDER BY priority DESC, created_at ASC, id ASC
                """).map(JobRecord.init(row:))
        }
    }

    /// 1 for the next job to run; nil when the job is not queued.
    public func queuePosition(id: String) throws -> Int? {
        try database.read { db in
            guard let job = try JobRecord.fetchOne(db, id: id), job.status == .queued else { return nil }
            let ahead = try db.scalar(Int.self, """
                SELECT count(*) FROM job
                WHERE status = 'queued' AND (priority > ?1
                    OR (priority = ?1 AND (created_at < ?2 OR (created_at = ?2 AND id < ?3))))
                """, job.priority, RFC3339.string(from: job.createdAt), job.id) ?? 0
            return ahead + 1
        }
    }

    /// Every job's status by id: what start-up reconciliation compares the job folders with.
    public func statusesByID() throws -> [String: JobStatus] {
        let rows = try database.read { db in try db.query("SELECT id, status FROM job") }
        var statuses: [String: JobStatus] = [:]
        for row in rows {
            if let status = JobStatus(rawValue: try row["status"]) { statuses[try row["id"]] = status }
        }
        return statuses
    }

    /// The number of jobs in each status, zeros included.
    public func countsByStatus() throws -> [JobStatus: Int] {
        let rows = try database.read { db in try db.query("SELECT status, count(*) AS n FROM job GROUP BY status") }
        var counts = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0, 0) })
        for row in rows {
            if let status = JobStatus(rawValue: try row["status"]) { counts[status] = try row["n"] }
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
