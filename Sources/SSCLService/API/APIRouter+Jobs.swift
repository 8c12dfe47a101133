import Foundation
import SSCLEngine
import SSCLHTTP
import SSCLStore

/// Submitting, listing, reading, cancelling, retrying and deleting jobs.
extension APIRouter {
    func createJob(_ request: HTTPRequest, dryRun: Bool) throws -> HTTPResponse {
        try requireJSON(request)
        // Held until the job is stored: an upload the job names cannot be deleted in between.
        return try uploads.withLock { try createJobLocked(request, dryRun: dryRun) }
    }

    private func createJobLocked(_ request: HTTPRequest, dryRun: Bool) throws -> HTTPResponse {
        let spec: JobSpec
        do {
            spec = try JobSpec.parse(json: resolvingUploadName(request.body))
        } catch let error as JobSpecSyntaxError {
            throw APIError(status: 400, code: "malformed_json", message: "the body is not valid JSON: \(error)")
        } catch let error as JobSpecValidationError {
            throw APIError(status: 422, code: "invalid_job", message: error.summary, details: error.issues.map { ($0.path, $0.reason) })
        }
        let pathIssues = DatasetPathPolicy(dataDirectory: configuration.dataDirectory).issues(for: spec.dataset)
        if !pathIssues.isEmpty { throw Self.invalid(pathIssues) }
        let resolved = String(decoding: spec.jsonData(pretty: false), as: UTF8.self)
        if dryRun {
            return .json(200, try JSONBody.data(ResolvedJobDocument(job: JSONBody.value(resolved))))
        }
        let key = request.headers["Idempotency-Key"]
        if let key, key.range(of: Self.idempotencyKeyPattern, options: .regularExpression) == nil {
            throw APIError(status: 400, code: "bad_idempotency_key", message: "Idempotency-Key must be 1 to 200 printable ASCII characters")
        }
        let outcome = try store.createJob(
            name: spec.name, priority: spec.priority, maxRestarts: spec.maxRestarts,
            submittedJSON: String(decoding: request.body, as: UTF8.self), resolvedJSON: resolved,
            idempotencyKey: key, bodySHA256: key.map { _ in SHA256.hex(request.body) })
        switch outcome {
        case let .created(job):
            let body = try JSONBody.data(JobDocument(job, store: store))
            if let key { try store.saveResponse(idempotencyKey: key, statusCode: 201, json: String(decoding: body, as: UTF8.self)) }
            scheduler.poke()
            logger.info("job submitted", metadata: ["job": "\(job.id)", "name": "\(job.name)"])
            return .json(201, body, headers: ["Location": "/v1/jobs/\(job.id)"])
        case let .replayed(job, stored):
            let body = try stored.map { Data($0.json.utf8) } ?? JSONBody.data(JobDocument(job, store: store))
            return .json(stored?.statusCode ?? 201, body, headers: ["Location": "/v1/jobs/\(job.id)", "Idempotent-Replayed": "true"])
        case let .conflict(existing):
            throw APIError.conflict("Idempotency-Key \(key ?? "") was used for another request body (job \(existing))")
        }
    }

    /// A sweep id: "swp_" and 13 characters of lowercase Crockford base32 (as the store makes them).
    static let sweepIDPattern = "^swp_[0-9a-hjkmnp-tv-z]{13}$"

    /// 1 to 200 printable ASCII characters (a structured-field string's alphabet), no outer spaces.
    static let idempotencyKeyPattern = "^[!-~]([ -~]{0,198}[!-~])?$"

    func listJobs(_ query: QueryValues) throws -> HTTPResponse {
        let status = query.string("status").flatMap(JobStatus.init(rawValue:))
        let limit = query.int("limit") ?? 50
        let cursor = query.string("cursor").flatMap { $0.isEmpty ? nil : $0 }
        let sweepID = query.string("sweep")
        // A sweep id that names no sweep is a 404, not an empty list: a mistyped or stale id
        // says so instead of looking like a sweep without trials.
        if let sweepID, try store.sweep(id: sweepID) == nil {
            throw APIError.notFound("no sweep \(sweepID)")
        }
        let page: (jobs: [JobRecord], nextCursor: String?)
        do {
            page = try store.listJobs(status: status, sweepID: sweepID, limit: limit, cursor: cursor)
        } catch {
            throw APIError(status: 400, code: "bad_cursor", message: "the cursor is not valid: \(error)")
        }
        return .json(200, try JSONBody.data(JobListDocument(
            jobs: page.jobs.map { JobDocument($0, store: store, detailed: false) }, nextCursor: page.nextCursor)))
    }

    func getJob(_ id: String) throws -> HTTPResponse {
        let cursor = try store.lastEventID(jobID: id)
        return .json(200, try JSONBody.data(JobDocument(try job(id), store: store, lastEventID: cursor)))
    }

    func cancelJob(_ id: String, _ request: HTTPRequest) throws -> HTTPResponse {
        _ = try bodyObject(request, example: "{}")
        // No waiting on a handler thread for the worker to stop: a running job answers 202 with
        // cancel_requested, and its `status` event (or the next GET) says when it has stopped.
        let job = try control { try scheduler.cancel(id: id) }
        return .json(job.status == .running ? 202 : 200, try JSONBody.data(JobDocument(job, store: store)))
    }

    func retryJob(_ id: String, _ request: HTTPRequest) throws -> HTTPResponse {
        var fresh = false
        let object = try bodyObject(request, known: ["fresh"], example: "{\"fresh\": true}")
        if let value = object["fresh"] {
            guard let flag = value as? Bool, CFGetTypeIDIsBool(value) else { throw Self.invalid([("fresh", "expected a boolean")]) }
            fresh = flag
        }
        let job = try control { try scheduler.retry(id: id, fresh: fresh) }
        return .json(200, try JSONBody.data(JobDocument(job, store: store)))
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

    /// The optional JSON object body of cancel and retry ([:] when there is none): 415 when it
    /// is not JSON, 400 when it is not an object, 422 naming a key it does not take.
    private func bodyObject(_ request: HTTPRequest, known: Set<String> = [], example: String) throws -> [String: Any] {
        guard !request.body.isEmpty else { return [:] }
        try requireJSON(request)
        guard let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any] else {
            throw APIError(status: 400, code: "malformed_json", message: "the body must be a JSON object such as \(example)")
        }
        let unknown = object.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty { throw Self.invalid(unknown.map { ($0, "unknown key") }) }
        return object
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
