import Foundation
import SSCLEngine

/// The API as an OpenAPI 3.1 document, generated from `Route.all` so every route the
/// router serves is described (a test checks both directions against the running server).
enum OpenAPIDocument {
    static func data() -> Data { JSONBody.encode(object()) }

    static func object() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for route in Route.all {
            var operation: [String: Any] = [
                "operationId": "\(route.operation)",
                "summary": route.summary,
                "responses": responses(route.operation),
            ]
            var parameters: [[String: Any]] = []
            if route.pattern.contains("{id}") {
                parameters.append(["name": "id", "in": "path", "required": true, "schema": ["type": "string"]])
            }
            for (name, type, description) in query(route.operation) {
                parameters.append(["name": name, "in": "query", "required": false,
                                   "schema": ["type": type], "description": description])
            }
            if route.operation == .createJob {
                parameters.append(["name": "Idempotency-Key", "in": "header", "required": false,
                                   "schema": ["type": "string"],
                                   "description": "Same key and body: the original response; same key, other body: 409"])
                operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/JobDocument"]]]]
            }
            if route.operation == .retryJob {
                operation["requestBody"] = ["required": false, "content": ["application/json": ["schema": [
                    "type": "object", "properties": ["fresh": ["type": "boolean"]], "additionalProperties": false]]]]
            }
            if route.operation == .jobEvents {
                parameters.append(["name": "Last-Event-ID", "in": "header", "required": false, "schema": ["type": "string"]])
            }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if route.pattern.hasPrefix("/v1/") { operation["security"] = [["bearer": [String]()], [String: Any]()] }
            paths[route.pattern, default: [:]][route.method.lowercased()] = operation
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "sscl", "version": SSCLVersion.string,
                     "description": "Contrastive learning with synthetic hard negatives, as a training service."],
            "paths": paths,
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
                "schemas": schemas(),
            ],
        ]
    }

    private static func query(_ op: Route.Operation) -> [(String, String, String)] {
        switch op {
        case .createJob: [("dry_run", "boolean", "Validate and return the resolved job; queue nothing")]
        case .listJobs: [("status", "string", "queued, running, succeeded, failed or cancelled"),
                         ("limit", "integer", "1 to 500, default 50"), ("cursor", "string", "next_cursor of the previous page")]
        case .jobMetrics: [("name", "string", "Comma-separated metric names"), ("after_step", "integer", "Exclusive"),
                           ("max_points", "integer", "Downsample each series keeping its min/max shape")]
        case .jobLogs: [("after_id", "integer", "Exclusive"), ("limit", "integer", "At most 10000")]
        default: []
        }
    }

    private static func responses(_ op: Route.Operation) -> [String: Any] {
        let error: [String: Any] = ["description": "Error", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        let job: [String: Any] = ["description": "The job", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Job"]]]]
        let json: [String: Any] = ["description": "OK", "content": ["application/json": ["schema": ["type": "object"]]]]
        let binary: [String: Any] = ["description": "The file", "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]]
        switch op {
        case .createJob: return ["201": job, "200": json, "400": error, "401": error, "409": error, "413": error, "415": error, "422": error]
        case .getJob: return ["200": job, "401": error, "404": error]
        case .cancelJob, .retryJob: return ["200": job, "401": error, "404": error, "409": error]
        case .deleteJob: return ["204": ["description": "Deleted"], "401": error, "404": error, "409": error]
        case .jobEvents: return ["200": ["description": "text/event-stream of status, progress, metric and log events",
                                         "content": ["text/event-stream": ["schema": ["type": "string"]]]], "404": error]
        case .prometheus: return ["200": ["description": "Prometheus text", "content": ["text/plain": ["schema": ["type": "string"]]]]]
        case .downloadModel, .downloadCheckpoint: return ["200": binary, "401": error, "404": error]
        default: return ["200": json, "400": error, "401": error, "404": error]
        }
    }

    private static func schemas() -> [String: Any] {
        [
            "Error": ["type": "object", "required": ["error"], "properties": ["error": [
                "type": "object", "required": ["code", "message"],
                "properties": ["code": ["type": "string"], "message": ["type": "string"],
                               "details": ["type": "array", "items": ["type": "object", "properties": [
                                   "path": ["type": "string"], "reason": ["type": "string"]]]]]]]],
            "JobDocument": ["type": "object", "required": ["dataset"],
                            "description": "The job document (README, 'The job document'); every field but dataset has a default.",
                            "properties": ["name": ["type": "string"], "dataset": ["type": "object"], "model": ["type": "object"],
                                           "loss": ["type": "object"], "optimizer": ["type": "object"], "schedule": ["type": "object"],
                                           "augment": ["type": "object"], "epochs": ["type": "integer"], "batch_size": ["type": "integer"],
                                           "seed": ["type": "integer"], "threads": ["type": "integer"], "eval": ["type": "object"],
                                           "priority": ["type": "integer"], "max_restarts": ["type": "integer"], "max_seconds": ["type": "number"]]],
            "Job": ["type": "object", "required": ["id", "name", "status", "job", "created_at", "attempt"], "properties": [
                "id": ["type": "string"], "name": ["type": "string"],
                "status": ["type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"]],
                "job": ["$ref": "#/components/schemas/JobDocument"],
                "created_at": ["type": "string", "format": "date-time"],
                "started_at": ["type": ["string", "null"], "format": "date-time"],
                "finished_at": ["type": ["string", "null"], "format": "date-time"],
                "attempt": ["type": "integer"], "queue_position": ["type": "integer"],
                "progress": ["type": ["object", "null"]], "metrics": ["type": "object"],
                "result": ["type": ["object", "null"]], "error": ["type": ["object", "null"]]]],
        ]
    }
}
