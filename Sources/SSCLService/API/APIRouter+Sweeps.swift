import Foundation
import SSCLEngine
import SSCLHTTP
import SSCLStore

/// Sweeps: submitting (every trial validated first), listing, reading with the leaderboard,
/// cancelling, and the results as CSV.
extension APIRouter {
    func createSweep(_ request: HTTPRequest, dryRun: Bool) throws -> HTTPResponse {
        try requireJSON(request)
        let spec: SweepSpec
        let expansion: (configurations: [SweepConfiguration], trials: [SweepTrial])
        do {
            spec = try SweepSpec.parse(json: request.body)
            expansion = try spec.expand()
        } catch let error as JobSpecSyntaxError {
            throw APIError(status: 400, code: "malformed_json", message: "the body is not valid JSON: \(error)")
        } catch let error as SweepValidationError {
            throw APIError(status: 422, code: "invalid_sweep", message: error.summary, details: error.issues.map { ($0.path, $0.reason) })
        }
        let policy = DatasetPathPolicy(dataDirectory: configuration.dataDirectory)
        var pathIssues: [(String, String)] = []
        for trial in expansion.trials {
            for (path, reason) in policy.issues(for: trial.spec.dataset) where !pathIssues.contains(where: { $0.0 == "base.\(path)" }) {
                pathIssues.append(("base.\(path)", reason))
            }
        }
        if !pathIssues.isEmpty {
            throw APIError(status: 422, code: "invalid_sweep", message: pathIssues.count == 1 ? "\(pathIssues[0].0): \(pathIssues[0].1)"
                           : "\(pathIssues.count) invalid fields", details: pathIssues.map { (path: $0.0, reason: $0.1) })
        }
        let resolved = spec.resolvedJSON(expansion.configurations, trialCount: expansion.trials.count)
        if dryRun {
            return .json(200, try JSONBody.data(SweepDryRunDocument(sweep: resolved, trials: expansion.trials.map {
                SweepDryRunDocument.Trial(configuration: $0.configuration, seed: $0.seed,
                                          job: JSONBody.value(String(decoding: $0.spec.jsonData(pretty: false), as: UTF8.self)))
            })))
        }
        let created = try store.createSweep(
            name: spec.name, submittedJSON: String(decoding: request.body, as: UTF8.self), resolvedJSON: resolved.jsonText(),
            maxConcurrent: spec.maxConcurrent,
            trials: expansion.trials.map { trial in
                NewTrial(name: trial.spec.name, priority: trial.spec.priority, maxRestarts: trial.spec.maxRestarts,
                         configuration: trial.configuration, submittedJSON: trial.job.jsonText(),
                         resolvedJSON: String(decoding: trial.spec.jsonData(pretty: false), as: UTF8.self))
            })
        scheduler.poke()
        logger.info("sweep submitted", metadata: ["sweep": "\(created.sweep.id)", "trials": "\(created.trials.count)"])
        return .json(201, try JSONBody.data(SweepRepresentation(created.sweep, store: store).document()),
                     headers: ["Location": "/v1/sweeps/\(created.sweep.id)"])
    }

    func listSweeps(_ query: QueryValues) throws -> HTTPResponse {
        let sweeps = try store.listSweeps(limit: query.int("limit") ?? 100).map { try settled($0) }
        return .json(200, try JSONBody.data(SweepListDocument(sweeps: sweeps.map { try SweepRepresentation($0, store: store, withMetrics: false).document(detailed: false) })))
    }

    func getSweep(_ id: String) throws -> HTTPResponse {
        .json(200, try JSONBody.data(SweepRepresentation(try sweep(id), store: store).document()))
    }

    /// Ends the sweep and cancels its queued and running trials (finished ones keep their results).
    func cancelSweep(_ id: String) throws -> HTTPResponse {
        let record = try sweep(id)
        guard record.status == .running, try store.finishSweep(id: id, status: .cancelled) else {
            throw APIError(status: 409, code: "illegal_transition", message: "the sweep has already \(record.status == .cancelled ? "been cancelled" : "finished")")
        }
        for trial in try store.trials(sweepID: id) where !trial.status.isFinished {
            _ = try? scheduler.cancel(id: trial.id)
        }
        logger.info("sweep cancelled", metadata: ["sweep": "\(id)"])
        return .json(200, try JSONBody.data(SweepRepresentation(try sweep(id), store: store).document()))
    }

    func sweepResults(_ id: String) throws -> HTTPResponse {
        .text(200, try SweepRepresentation(try sweep(id), store: store).csv(), contentType: "text/csv; charset=utf-8")
    }

    /// The sweep, marked finished once every trial has finished.
    private func sweep(_ id: String) throws -> SweepRecord {
        guard let record = try store.sweep(id: id) else { throw APIError.notFound("no sweep \(id)") }
        return try settled(record)
    }

    private func settled(_ record: SweepRecord) throws -> SweepRecord {
        guard record.status == .running else { return record }
        let trials = try store.trials(sweepID: record.id)
        guard trials.allSatisfy(\.status.isFinished) else { return record }
        try store.finishSweep(id: record.id, status: .finished)
        return try store.sweep(id: record.id) ?? record
    }
}
