import Foundation

/// The `type` of an event row.
enum EventType: String {
    case status, progress, metric, log
    case similarityHistogram = "similarity_histogram"
}

extension JobStore {
    /// Appends one event in the caller's transaction; returns its id. Ids grow in commit order
    /// per job on both engines (on PostgreSQL the writer holds the job's row lock first), so
    /// a reader polling `id > last` misses none. On PostgreSQL the same statement queues a
    /// notification on `eventChannel` with the job's id, delivered at commit (and once per
    /// transaction and job): the other nodes' listeners wake their event streams.
    @discardableResult
    func appendEvent(_ db: any SQLConnection, jobID: String, type: EventType, dataJSON: String, time: Date) throws -> Int64 {
        if db.dialect == .postgres {
            try db.execute("SELECT pg_notify('\(Self.eventChannel)', id) FROM job WHERE id = ? FOR UPDATE", jobID)
        }
        let id = try db.scalar(Int64.self, """
            INSERT INTO event (job_id, type, data_json, time) VALUES (?, ?, ?, ?) RETURNING id
            """, jobID, type.rawValue, dataJSON, RFC3339.string(from: time))
        guard let id else { throw StoreError.corruptValue(column: "event.id", value: "NULL") }
        return id
    }

    /// A `status` event: the job's `JobStatusSnapshot` after the change.
    func appendStatusEvent(_ db: any SQLConnection, job: JobRecord, time: Date) throws {
        try appendEvent(db, jobID: job.id, type: .status, dataJSON: try Self.json(JobStatusSnapshot(job)), time: time)
    }

    /// Encodes an event payload with sorted keys, so payloads are stable.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// A `metric` event: `{"points": [{"name", "step", "value", "time"}]}`, one per appended batch.
/// Non-finite values are `null`: JSON has no NaN.
struct MetricEventData: Encodable {
    struct Point: Encodable {
        var name: String
        var step: Int
        var value: Double?
        var time: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(step, forKey: .step)
            try container.encode(value, forKey: .value)  // null, not left out
            try container.encode(time, forKey: .time)
        }

        enum CodingKeys: String, CodingKey { case name, step, value, time }
    }

    var points: [Point]
}

