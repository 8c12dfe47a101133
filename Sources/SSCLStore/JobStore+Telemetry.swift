import Foundation
import GRDB

/// What a running job reports (progress, metric points, log lines) and the event stream.
extension JobStore {
    /// Replaces the job's latest progress document and appends a `progress` event with it.
    public func updateProgress(id: String, progressJSON: String, lease: JobLease? = nil) throws {
        try pool.write { db in
            try checkLease(db, lease)
            let now = now()
            try db.execute(sql: "UPDATE job SET progress_json = ? WHERE id = ?", arguments: [progressJSON, id])
            guard db.changesCount == 1 else { throw StoreError.jobNotFound(id) }
            try appendEvent(db, jobID: id, type: .progress, dataJSON: progressJSON, time: now)
        }
        didAppendEvents(jobIDs: [id])
    }

    /// Stores a batch of points in one transaction, plus one `metric` event holding the whole
    /// batch. A point for a (name, step) already stored replaces it (a resumed run repeats the
    /// steps after its checkpoint).
    public func appendMetrics(jobID: String, points: [MetricPoint], lease: JobLease? = nil) throws {
        guard !points.isEmpty else { return }
        try pool.write { db in
            try checkLease(db, lease)
            _ = try JobRecord.require(db, id: jobID)
            let insert = try db.cachedStatement(sql: """
                INSERT INTO metric (job_id, name, step, value, time) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (job_id, name, step) DO UPDATE SET value = excluded.value, time = excluded.time
                """)
            var eventPoints: [MetricEventData.Point] = []
            eventPoints.reserveCapacity(points.count)
            for point in points {
                let time = RFC3339.string(from: point.time)
                let value: Double? = point.value.isNaN ? nil : point.value
                try insert.execute(arguments: [jobID, point.name, point.step, value, time])
                eventPoints.append(.init(
                    name: point.name, step: point.step, value: point.value.isFinite ? point.value : nil, time: time))
            }
            try appendEvent(db, jobID: jobID, type: .metric, dataJSON: try Self.json(MetricEventData(points: eventPoints)), time: now())
        }
        didAppendEvents(jobIDs: [jobID])
    }

    /// The job's points by metric name, each series ordered by step. `names` nil or empty means
    /// every metric; `afterStep` is exclusive.
    public func metrics(jobID: String, names: [String]? = nil, afterStep: Int? = nil) throws -> [String: [MetricPoint]] {
        var sql = "SELECT name, step, value, time FROM metric WHERE job_id = ?"
        var arguments: StatementArguments = [jobID]
        if let afterStep {
            sql += " AND step > ?"
            arguments += [afterStep]
        }
        if let names, !names.isEmpty {
            sql += " AND name IN (\(names.map { _ in "?" }.joined(separator: ", ")))"
            arguments += StatementArguments(names)
        }
        sql += " ORDER BY name, step"
        let rows = try pool.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments) }
        var series: [String: [MetricPoint]] = [:]
        for row in rows {
            let point = MetricPoint(
                name: row["name"], step: row["step"], value: row["value"] ?? .nan, time: try JobRecord.date(row, "time"))
            series[point.name, default: []].append(point)
        }
        return series
    }

    /// The value at the highest step of each of the job's metrics.
    public func latestMetrics(jobID: String) throws -> [String: Double] {
        // A loose index scan: each distinct name and its last point are index seeks on the
        // (job_id, name, step) key, so the cost does not grow with the number of steps
        // (a GROUP BY would read every point, and `GET /v1/jobs/{id}` calls this).
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: """
                WITH RECURSIVE names(name) AS (
                    SELECT (SELECT min(name) FROM metric WHERE job_id = ?1)
                    UNION ALL
                    SELECT (SELECT min(name) FROM metric WHERE job_id = ?1 AND name > names.name)
                    FROM names WHERE names.name IS NOT NULL
                )
                SELECT name, (SELECT value FROM metric WHERE job_id = ?1 AND metric.name = names.name
                              ORDER BY step DESC LIMIT 1) AS value
                FROM names WHERE name IS NOT NULL
                """, arguments: [jobID])
        }
        return Dictionary(uniqueKeysWithValues: rows.map { (($0["name"] as String), ($0["value"] as Double?) ?? .nan) })
    }

    /// Stores worker log lines in one transaction, with one `log` event per line; returns them.
    @discardableResult
    public func appendLog(jobID: String, lines: [String], lease: JobLease? = nil) throws -> [LogLine] {
        guard !lines.isEmpty else { return [] }
        let written = try pool.write { db in
            try checkLease(db, lease)
            _ = try JobRecord.require(db, id: jobID)
            let now = now()
            let time = RFC3339.string(from: now)
            let insert = try db.cachedStatement(sql: "INSERT INTO log (job_id, time, line) VALUES (?, ?, ?)")
            return try lines.map { line in
                try insert.execute(arguments: [jobID, time, line])
                let logLine = LogLine(id: db.lastInsertedRowID, time: now, line: line)
                try appendEvent(db, jobID: jobID, type: .log, dataJSON: try Self.json(LogEventData(id: logLine.id, line: line, time: time)), time: now)
                return logLine
            }
        }
        didAppendEvents(jobIDs: [jobID])
        return written
    }

    /// The job's log lines after `afterID` (exclusive), oldest first.
    public func logs(jobID: String, afterID: Int64? = nil, limit: Int) throws -> [LogLine] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, time, line FROM log WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?",
                             arguments: [jobID, afterID ?? 0, max(0, limit)])
                .map { LogLine(id: $0["id"], time: try JobRecord.date($0, "time"), line: $0["line"]) }
        }
    }

    /// The job's events after `afterID` (exclusive; a Last-Event-ID), oldest first.
    public func events(jobID: String, afterID: Int64? = nil, limit: Int) throws -> [EventRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, job_id, type, data_json, time FROM event WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?
                """, arguments: [jobID, afterID ?? 0, max(0, limit)])
                .map {
                    EventRecord(id: $0["id"], jobID: $0["job_id"], type: $0["type"], dataJSON: $0["data_json"],
                                time: try JobRecord.date($0, "time"))
                }
        }
    }
}

extension JobStore {
    /// The id of the job's newest event (0 when it has none): a cursor for `Last-Event-ID`.
    /// Read it before reading a snapshot (metrics, logs, the job) and continue the stream
    /// after it, and nothing is missed; what arrives twice replaces itself (by step, by log id).
    public func lastEventID(jobID: String) throws -> Int64 {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT max(id) FROM event WHERE job_id = ?", arguments: [jobID]) ?? 0
        }
    }
}
