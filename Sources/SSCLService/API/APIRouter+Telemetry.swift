import Foundation
import SSCLEngine
import SSCLHTTP
import SSCLStore

/// Metric series, logs, the event stream and file downloads of one job.
extension APIRouter {
    static let metricNames = MetricName.allCases.map(\.rawValue)

    func jobMetrics(_ id: String, _ request: HTTPRequest) throws -> HTTPResponse {
        _ = try job(id)
        var issues: [(String, String)] = []
        let names = request.query["name"].map { $0.split(separator: ",").map(String.init) }
        var afterStep: Int?
        if let s = request.query["after_step"] {
            if let n = Int(s) { afterStep = n } else { issues.append(("after_step", "expected an integer")) }
        }
        var maxPoints: Int?
        if let s = request.query["max_points"] {
            if let n = Int(s), n >= 2, n <= 100_000 { maxPoints = n } else { issues.append(("max_points", "expected an integer in 2...100000")) }
        }
        if !issues.isEmpty { throw Self.invalid(issues, status: 400) }
        // Read before the points: continuing the event stream after it misses no point.
        let cursor = try store.lastEventID(jobID: id)
        let series = try store.metrics(jobID: id, names: names, afterStep: afterStep)
        let ordered = series.keys.sorted { a, b in
            (Self.metricNames.firstIndex(of: a) ?? 99, a) < (Self.metricNames.firstIndex(of: b) ?? 99, b)
        }
        let metrics: [[String: Any]] = ordered.map { name in
            var points = series[name] ?? []
            if let maxPoints { points = MetricDownsampler.downsample(points, maxPoints: maxPoints) }
            return ["name": name, "points": points.map { p -> [String: Any] in
                ["step": p.step, "value": p.value.isFinite ? p.value : NSNull(), "time": RFC3339.string(from: p.time)]
            }]
        }
        return .json(200, JSONBody.encode(["metrics": metrics, "last_event_id": cursor]))
    }

    func jobLogs(_ id: String, _ request: HTTPRequest) throws -> HTTPResponse {
        _ = try job(id)
        let after = request.query["after_id"].flatMap { Int64($0) }
        let limit = request.query["limit"].flatMap { Int($0) }.map { min(max($0, 1), 10_000) } ?? 10_000
        let cursor = try store.lastEventID(jobID: id)
        let lines = try store.logs(jobID: id, afterID: after, limit: limit)
        return .json(200, JSONBody.encode(["lines": lines.map {
            ["id": $0.id, "time": RFC3339.string(from: $0.time), "line": $0.line] as [String: Any]
        }, "last_event_id": cursor]))
    }

    /// Server-Sent Events: history first (or everything after `Last-Event-ID`), then live.
    func jobEvents(_ id: String, _ request: HTTPRequest) throws -> HTTPResponse {
        _ = try job(id)
        let header = request.headers["Last-Event-ID"] ?? request.query["last_event_id"]
        var after: Int64?
        if let header, !header.isEmpty {
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
            throw APIError.notFound("job \(id) has no \(file) yet")
        }
        return .file(url, contentType: type, headers: [
            "Content-Disposition": "attachment; filename=\"\(id)-\(file)\"",
        ])
    }
}
