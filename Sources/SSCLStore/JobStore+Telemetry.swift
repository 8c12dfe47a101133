import Foundation

/// What a running job reports (progress, metric points, log lines) and the event stream.
extension JobStore {
    /// Replaces the job's latest progress document and appends a `progress` event with it.
    public func updateProgress(id: String, progressJSON: String, lease: JobLease? = nil) throws {
        try database.write { db in
            try checkLease(db, lease)
            let now = now()
            guard try db.execute("UPDATE job SET progress_json = ? WHERE id = ?", progressJSON, id) == 1 else {
                throw StoreError.jobNotFound(id)
            }
            try appendEvent(db, jobID: id, type: .progress, dataJSON: progressJSON, time: now)
        }
        didAppendEvents(jobIDs: [id])
    }

    /// Stores a batch of points in one transaction, plus one `metric` event holding the whole
    /// batch. A point for a (name, step) already stored replaces it (a resumed run repeats the
    /// steps after its checkpoint).
    public func appendMetrics(jobID: String, points: [MetricPoint], lease: JobLease? = nil) throws {
        guard !points.isEmpty else { return }
        // One statement per chunk of rows: a round trip per point would bound the rate on
        // PostgreSQL. A (name, step) repeated within the batch keeps its last value, as if the
        // points were written one by one (PostgreSQL refuses to upsert a row twice in a statement).
        var last: [String: [Int: Int]] = [:]
        for (index, point) in points.enumerated() { last[point.name, default: [:]][point.step] = index }
        let rows = points.indices.filter { last[points[$0].name]?[points[$0].step] == $0 }
        try database.write { db in
            try checkLease(db, lease)
            _ = try JobRecord.require(db, id: jobID)
            var eventPoints: [MetricEventData.Point] = []
            eventPoints.reserveCapacity(points.count)
            for point in points {
                eventPoints.append(.init(
                    name: point.name, step: point.step, value: point.value.isFinite ? point.value : nil,
                    time: RFC3339.string(from: point.time)))
            }
            for chunk in stride(from: 0, to: rows.count, by: Self.metricRowsPerStatement) {
                let slice = rows[chunk..<min(chunk + Self.metricRowsPerStatement, rows.count)]
                var arguments: [SQLValue] = []
                arguments.reserveCapacity(slice.count * 5)
                for index in slice {
                    let point = points[index]
                    arguments += [.text(jobID), .text(point.name), .integer(Int64(point.step)), point.value.sqlValue,
                                  .text(eventPoints[index].time)]
                }
                try db.execute("""
                    INSERT INTO metric (job_id, name, step, value, time) VALUES \(Self.valueRows(slice.count, columns: 5))
                    ON CONFLICT (job_id, name, step) DO UPDATE SET value = excluded.value, time = excluded.time
                    """, arguments: arguments)
            }
            try appendEvent(db, jobID: jobID, type: .metric, dataJSON: try Self.json(MetricEventData(points: eventPoints)), time: now())
        }
        didAppendEvents(jobIDs: [jobID])
    }

    /// Rows per multi-row metric INSERT: 1,000 parameters, well within both engines' limits.
    static let metricRowsPerStatement = 200

    /// `(?, ?), (?, ?)` for `rows` rows of `columns` parameters.
    static func valueRows(_ rows: Int, columns: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return Array(repeating: row, count: rows).joined(separator: ", ")
    }

    /// The job's points by metric name, each series ordered by step. `names` nil or empty means
    /// every metric; `afterStep` is exclusive.
    public func metrics(jobID: String, names: [String]? = nil, afterStep: Int? = nil) throws -> [String: [MetricPoint]] {
        var sql = "SELECT name, step, value, time FROM metric WHERE job_id = ?"
        var arguments: [SQLValue] = [.text(jobID)]
        if let afterStep {
            sql += " AND step > ?"
            arguments.append(.integer(Int64(afterStep)))
        }
        if let names, !names.isEmpty {
            sql += " AND name IN (\(names.map { _ in "?" }.joined(separator: ", ")))"
            arguments += names.map { .text($0) }
        }
        sql += " ORDER BY name, step"
        let rows = try database.read { db in try db.query(sql, arguments: arguments) }
        var series: [String: [MetricPoint]] = [:]
        for row in rows {
            let point = MetricPoint(
                name: try row["name"], step: try row["step"], value: try row["value"] ?? .nan, time: try JobRecord.date(row, "time"))
            series[point.name, default: []].append(point)
        }
        return series
    }

    /// The value at the highest step of each of the job's metrics.
    public func latestMetrics(jobID: String) throws -> [String: Double] {
        // A loose index scan: each distinct name and its last point are index seeks on the
        // (job_id, name, step) key, so the cost does not grow with the number of steps
        // (a GROUP BY would read every point, and `GET /v1/jobs/{id}` calls this).
        let rows = try database.read { db in
            try db.query("""
                WITH RECURSIVE names(name) AS (
                    SELECT (SELECT min(name) FROM metric WHERE job_id = ?1)
                    UNION ALL
                    SELECT (SELECT min(name) FROM metric WHERE job_id = ?1 AND name > names.name)
                    FROM names WHERE names.name IS NOT NULL
                )
                SELECT name, (SELECT value FROM metric WHERE job_id = ?1 AND metric.name = names.name
                              ORDER BY step DESC LIMIT 1) AS value
                FROM names WHERE name IS NOT NULL
                """, jobID)
        }
        return Dictionary(uniqueKeysWithValues: try rows.map { (try $0["name"] as String, try $0["value"] as Double? ?? .nan) })
    }

    /// Stores worker log lines in one transaction, with one `log` event per line; returns them.
    @discardableResult
    public func appendLog(jobID: String, lines: [String], lease: JobLease? = nil) throws -> [LogLine] {
        guard !lines.isEmpty else { return [] }
        let written = try database.write { db in
            try checkLease(db, lease)
            // Locked first on PostgreSQL, so the job's log ids, like its event ids, grow in commit order.
            _ = try JobRecord.requireLocked(db, id: jobID)
            let now = now()
            let time = RFC3339.string(from: now)
            return try lines.map { line in
                guard let id = try db.scalar(Int64.self, "INSERT INTO log (job_id, time, line) VALUES (?, ?, ?) RETURNING id",
                                             jobID, time, line)
                else { throw StoreError.corruptValue(column: "log.id", value: "NULL") }
                let logLine = LogLine(id: id, time: now, line: line)
                try appendEvent(db, jobID: jobID, type: .log, dataJSON: try Self.json(LogEventData(id: logLine.id, line: line, time: time)), time: now)
                return logLine
            }
        }
        didAppendEvents(jobIDs: [jobID])
        return written
    }

    /// The job's log lines after `afterID` (exclusive), oldest first.
    public func logs(jobID: String, afterID: Int64? = nil, limit: Int) throws -> [LogLine] {
        try database.read { db in
            try db.query("SELECT id, time, line FROM log WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?",
                         jobID, afterID ?? 0, max(0, limit))
                .map { LogLine(id: try $0["id"], time: try JobRecord.date($0, "time"), line: try $0["line"]) }
        }
    }

    /// The job's events after `afterID` (exclusive; a Last-Event-ID), oldest first.
    public func events(jobID: String, afterID: Int64? = nil, limit: Int) throws -> [EventRecord] {
        try database.read { db in
            try db.query("""
                SELECT id, job_id, type, data_json, time FROM event WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?
                """, jobID, afterID ?? 0, max(0, limit))
                .map {
                    EventRecord(id: try $0["id"], jobID: try $0["job_id"], type: try $0["type"], dataJSON: try $0["data_json"],
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
        try database.read { db in
            try db.scalar(Int64.self, "SELECT max(id) FROM event WHERE job_id = ?", jobID) ?? 0
        }
    }
}
