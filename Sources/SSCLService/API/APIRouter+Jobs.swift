import Foundation
import SSCLEngine
import SSCLHTTP
import SSCLStore

/// Submitting, listing, reading, cancelling, retrying and deleting jobs.
extension APIRouter {
    func createJob(_ request: HTTPRequest) throws -> HTTPResponse {
        try requireJSON(request)
        let spec: JobSpec
        do {
            spec = try JobSpec.parse(json: request.body)
        } catch let error as JobSpecSyntaxError {
            throw APIError(status: 400, code: "malformed_json", message: "the body is not valid JSON: \(error)")
        } catch let error as JobSpecValidationError {
            throw Self.invalid(error.issues.map { ($0.path, $0.reason) })
        }
        let pathIssues = DatasetPathPolicy(dataDirectory: configuration.dataDirectory).issues(for: spec.dataset)
        if !pathIssues.isEmpty { throw Self.invalid(pathIssues) }
        let resolved = String(decoding: spec.jsonData(pretty: false), as: UTF8.self)
        if request.query["dry_run"] == "true" || request.query["dry_run"] == "1" {
            return .json(200, JSONBody.encode(["job": JSONBody.object(resolved)]))
        }
        let key = request.headers["Idempotency-Key"]
        if let key, key.isEmpty || key.count > 200 {
            throw APIError(status: 400, code: "bad_idempotency_key", message: "Idempotency-Key must be 1 to 200 characters")
        }
        let outcome = try store.createJob(
            name: spec.name, priority: spec.priority, maxRestarts: spec.maxRestarts,
            submittedJSON: String(decoding: request.body, as: UTF8.self), resolvedJSON: resolved,
            idempotencyKey: key, bodySHA256: key.map { _ in SHA256.hex(request.body) })
        switch outcome {
        case let .created(job):
            let body = JSONBody.encode(JobRepresentation.object(job, store: store))
            if let key { try store.saveResponse(idempotencyKey: key, statusCode: 201, json: String(decoding: body, as: UTF8.self)) }
            scheduler.poke()
            logger.info("job submitted", metadata: ["job": "\(job.id)", "name": "\(job.name)"])
            return .json(201, body, headers: ["Location": "/v1/jobs/\(job.id)"])
        case let .replayed(job, stored):
            let body = stored.map { Data($0.json.utf8) } ?? JSONBody.encode(JobRepresentation.object(job, store: store))
            return .json(stored?.statusCode ?? 201, body, headers: ["Location": "/v1/jobs/\(job.id)", "Idempotent-Replayed": "true"])
        case let .conflict(existing):
            throw APIError.conflict("Idempotency-Key \(key ?? "") was used for another request body (job \(existing))")
        }
    }

    func listJobs(_ request: HTTPRequest) throws -> HTTPResponse {
        var issues: [(String, String)] = []
        var status: JobStatus?
        if let s = request.query["status"], !s.isEmpty {
            status = JobStatus(rawValue: s)
            if status == nil { issues.append(("status", "expected one of: \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))")) }
        }
        var limit = 50
        if let l = request.query["limit"] {
            if let n = Int(l), (1...500).contains(n) { limit = n } else { issues.append(("limit", "expected an integer in 1...500")) }
        }
        if !issues.isEmpty { throw Self.invalid(issues, status: 400) }
        let cursor = request.query["cursor"].flatMap { $0.isEmpty ? nil : $0 }
        let page: (jobs: [JobRecord], nextCursor: String?)
        do {
            page = try store.listJobs(status: status, limit: limit, cursor: cursor)
        } catch {
            throw APIError(status: 400, code: "bad_cursor", message: "the cursor is not valid: \(error)")
        }
        return .json(200, JSONBody.encode([
            "jobs": page.jobs.map { JobRepresentation.object($0, store: store, detailed: false) },
            "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull(),
        ]))
    }

    func getJob(_ id: String) throws -> HTTPResponse {
        let cursor = try store.lastEventID(jobID: id)
        return .json(200, JSONBody.encode(JobRepresentation.object(try job(id), store: store, lastEventID: cursor)))
    }

    func cancelJob(_ id: String, _ request: HTTPRequest) throws -> HTTPResponse {
        try requireJSONIfBody(request)
        let job = try control { try scheduler.cancel(id: id) }
        return .json(200, JSONBody.encode(JobRepresentation.object(job, store: store)))
    }

    func retryJob(_ id: String, _ request: HTTPRequest) throws -> HTTPResponse {
        try requireJSONIfBody(request)
        var fresh = false
        if !request.body.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any] else {
                throw APIError(status: 400, code: "malformed_json", message: "the body must be a JSON object such as {\"fresh\": true}")
            }
            for key in object.keys where key != "fresh" {
                throw Self.invalid([(key, "unknown key")])
            }
            if let value = object["fresh"] {
                guard let flag = value as? Bool, CFGetTypeIDIsBool(value) else { throw Self.invalid([("fresh", "expected a boolean")]) }
                fresh = flag
            }
        }
        let job = try control { try scheduler.retry(id: id, fresh: fresh) }
        return .json(200, JSONBody.encode(JobRepresentation.object(job, store: store)))
    }

    func deleteJob(_ id: String) throws -> HTTPResponse {
        try control { try scheduler.delete(id: id) }
        return .empty(204)
    }

    // MARK: - Helpers

    func job(_ id: String) throws -> JobRecord {
        guard let job = try store.job(id: id) else { throw APIError.notFound("no job \(id)") }
        return job
    }

    private func control<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch JobScheduler.ControlError.notFound {
            throw APIError.notFound("no such job")
        } catch let JobScheduler.ControlError.illegalTransition(status, action) {
            throw APIError(status: 409, code: "illegal_transition", message: "cannot \(action) a job that is \(status.rawValue)")
        }
    }

    /// POST bodies must be JSON (415 otherwise).
    func requireJSON(_ request: HTTPRequest) throws {
        let type = request.headers["Content-Type"]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/json" else {
            throw APIError(status: 415, code: "unsupported_media_type",
                           message: "send the job as Content-Type: application/json")
        }
    }

    private func requireJSONIfBody(_ request: HTTPRequest) throws {
        if !request.body.isEmpty { try requireJSON(request) }
    }

    static func invalid(_ issues: [(String, String)], status: Int = 422) -> APIError {
        APIError(status: status, code: status == 422 ? "invalid_job" : "invalid_parameters",
                 message: issues.count == 1 ? "\(issues[0].0): \(issues[0].1)" : "\(issues.count) invalid fields",
                 details: issues.map { (path: $0.0, reason: $0.1) })
    }
}

/// JSONSerialization gives NSNumber for both numbers and booleans; this tells them apart.
func CFGetTypeIDIsBool(_ value: Any) -> Bool {
    guard let number = value as? NSNumber else { return false }
    return String(cString: number.objCType) == "c" || type(of: number) == type(of: NSNumber(value: true))
}
