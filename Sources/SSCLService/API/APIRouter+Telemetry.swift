import Foundation
import SSCLEngine
import SSCLHTTP
import SSCLStore

/// Metric series, logs, the event stream and file downloads of one job.
extension APIRouter {
    static let metricNames = MetricName.allCases.map(\.rawValue)

    func jobMetrics(_ id: String, _ query: QueryValues) throws -> HTTPResponse {
        _ = try job(id)
        let names = query.string("name").map { $0.split(separator: ",").map(String.init) }
        let afterStep = query.int("after_step")
        let maxPoints = query.int("max_points")
        // Read before the points: continuing the event stream after it misses no point.
        let cursor = try store.lastEventID(jobID: id)
        let series = try store.metrics(jobID: id, names: names, afterStep: afterStep)
        let ordered = series.keys.sorted { a, b in
            (Self.metricNames.firstIndex(of: a) ?? 99, a) < (Self.metricNames.firstIndex(of: b) ?? 99, b)
        }
        let metrics = ordered.map { name in
            var points = series[name] ?? []
            if let maxPoints { points = MetricDownsampler.downsample(points, maxPoints: maxPoints) }
            return MetricSeriesDocument.Series(name: name, points: points.map(MetricSeriesDocument.Point.init))
        }
        return .json(200, try JSONBody.data(MetricSeriesDocument(metrics: metrics, lastEventID: cursor)))
    }

    func jobLogs(_ id: String, _ query: QueryValues) throws -> HTTPResponse {
        _ = try job(id)
        let after = query.int64("after_id")
        let limit = query.int("limit") ?? 10_000
        let cursor = try store.lastEventID(jobID: id)
        let lines = try store.logs(jobID: id, afterID: after, limit: limit)
        return .json(200, try JSONBody.data(LogLinesDocument(lines: lines.map(LogLinesDocument.Line.init), lastEventID: cursor)))
    }

    /// Server-Sent Events: history first (or everything after `Last-Event-ID`), then live.
    func jobEvents(_ id: String, _ request: HTTPRequest) throws -> HTTPResponse {
        _ = try job(id)
        // The query form was validated by the route table; the header is checked here (an empty
        // one too: a client that has no id sends none).
        let header = request.headers["Last-Event-ID"] ?? request.query["last_event_id"]
        var after: Int64?
        if let header {
            guard let n = Int64(header) else { throw APIError.badRequest("Last-Event-ID must be an event id") }
            after = n
        }
        let streams = self.streams
        let start = after
        return .eventStream { writer in streams.add(jobID: id, after: start, writer: writer) }
    }

    func download(_ id: String, file: String, type: String) throws -> HTTPResponse {
        _ = try job(id)
        let url = scheduler.directory(of: id).appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: url.path) else {
            // The job exists (404 is for jobs that do not): its file does not, in this state.
            throw APIError(status: 409, code: "not_available", message: "job \(id) has no \(file) yet")
        }
        return .file(url, contentType: type, headers: [
            "Content-Disposition": "attachment; filename=\"\(id)-\(file)\"",
        ])
    }
}
