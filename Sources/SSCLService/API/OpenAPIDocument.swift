import Foundation
import SSCLEngine
import SSCLStore

/// The API as an OpenAPI 3.1 document, generated from the route table `APIRouter.routes`: its
/// paths, query parameters (with the bounds the router enforces) and every status a route can
/// answer (its handler's, the table's 400 and what the steps in front add). A test provokes
/// each documented status and schemathesis checks the running server against it in CI.
enum OpenAPIDocument {
    /// Encoded like every other body (`JSONBody.data`), so its keys come out sorted.
    static func data(_ configuration: ServiceConfiguration) -> Data {
        // Strings, numbers, booleans, arrays and objects always encode.
        (try? JSONBody.data(document(configuration))) ?? Data()
    }

    static func document(_ configuration: ServiceConfiguration) -> JSONValue {
        var paths: JSONValue = [:]
        for route in APIRouter.routes {
            var item = paths[route.pattern] ?? [:]
            item[route.method.lowercased()] = operation(route, configuration: configuration)
            paths[route.pattern] = item
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "sscl", "version": .string(SSCLVersion.string), "description": .string(description)],
            "paths": paths,
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
                "schemas": schemas(),
            ],
        ]
    }

    /// What the HTTP server itself answers, before any route.
    static let description = """
        Contrastive learning with synthetic hard negatives, as a training service. Besides the statuses \
        listed per operation, the HTTP server itself answers: 405 with Allow for a method a path does not \
        serve; 400 for a malformed request; 408 when the headers or body do not arrive in time; 411 for a \
        chunked body; 413 for a body over --max-body-bytes (an upload: --max-upload-bytes); 431 for oversized headers; 501 for a method it \
        does not implement (anything but GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS); 503 when it is out \
        of connection slots or shutting down; 505 for an HTTP version other than 1.0 and 1.1.
        """

    private static func operation(_ route: Route, configuration: ServiceConfiguration) -> JSONValue {
        var operation: JSONValue = ["operationId": .string(route.operationID), "summary": .string(route.summary)]
        var responses: JSONValue = [:]
        for response in APIRouter.documentedResponses(of: route, configuration: configuration) {
            var entry: JSONValue = ["description": .string(response.description)]
            switch response.content {
            case .none: break
            case .json(let schema): entry["content"] = ["application/json": ["schema": ref(schema)]]
            case .binary: entry["content"] = ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]
            case .text(let type): entry["content"] = [type: ["schema": ["type": "string"]]]
            case .eventStream: entry["content"] = ["text/event-stream": ["schema": event]]
            }
            if response.status == 201 {
                entry["headers"] = ["Location": ["schema": ["type": "string"], "description": "The job's URL"]]
                // The new job's id feeds every `{id}` operation (schemathesis follows these links).
                entry["links"] = .object(APIRouter.routes.filter(\.hasIDParameter).map { target in
                    JSONMember(target.operationID, ["operationId": .string(target.operationID), "parameters": ["id": "$response.body#/id"]])
                })
            }
            if response.status == 401 { entry["headers"] = ["WWW-Authenticate": ["schema": ["type": "string"]]] }
            responses[String(response.status)] = entry
        }
        operation["responses"] = responses
        var parameters: [JSONValue] = []
        if route.hasIDParameter {
            if route.pattern.hasPrefix("/v1/datasets/") {
                parameters.append(["name": "id", "in": "path", "required": true, "description": "An uploaded dataset's name",
                                   "schema": ["type": "string", "pattern": .string(APIRouter.datasetNamePattern)]])
            } else {
                parameters.append(["name": "id", "in": "path", "required": true, "description": "A job id",
                                   "schema": ["type": "string", "pattern": "^job_[0-9a-hjkmnp-tv-z]{13}$"]])
            }
        }
        if route.pattern.contains("{index}") {
            parameters.append(["name": "index", "in": "path", "required": true, "description": "A row of the split",
                               "schema": ["type": "integer", "minimum": 0]])
        }
        for parameter in route.query {
            parameters.append(["name": .string(parameter.name), "in": "query", "required": .bool(parameter.required),
                               "schema": schema(parameter.kind), "description": .string(parameter.description)])
        }
        for header in route.headers {
            parameters.append(["name": .string(header.name), "in": "header", "required": false,
                               "schema": schema(header.kind), "description": .string(header.description)])
        }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if case let .json(schema, required) = route.body {
            operation["requestBody"] = ["required": .bool(required), "content": ["application/json": ["schema": ref(schema)]]]
        }
        if case let .jsonOrFile(schema, fileTypes) = route.body {
            var content: JSONValue = ["application/json": ["schema": ref(schema)]]
            for type in fileTypes { content[type] = ["schema": ["type": "string", "format": "binary"]] }
            operation["requestBody"] = ["required": true, "content": content]
        }
        if case let .file(contentTypes) = route.body {
            operation["requestBody"] = ["required": true, "content": .object(contentTypes.map {
                JSONMember($0, ["schema": ["type": "string", "format": "binary"]])
            })]
        }
        if route.isAPI { operation["security"] = [["bearer": []], [:]] }
        return operation
    }

    /// One server-sent event (README, "Event stream"); `data` is one JSON object.
    private static var event: JSONValue {
        object(["event": oneOf(["status", "progress", "metric", "log", "similarity_histogram"]), "data": string,
                "id": ["type": "string", "pattern": "^[0-9]+$"], "retry": ["type": "integer"]],
               required: ["event", "data", "id"], closed: false)
    }

    private static func ref(_ schema: String) -> JSONValue { ["$ref": "#/components/schemas/\(schema)"] }

    private static func schema(_ kind: QueryParameter.Kind) -> JSONValue {
        switch kind {
        case .integer(let range): ["type": "integer", "format": "int64", "minimum": .number(range.lowerBound), "maximum": .number(range.upperBound)]
        case .boolean: ["type": "boolean"]
        case .string: ["type": "string"]
        case .oneOf(let words): ["type": "string", "enum": .strings(words)]
        case .pattern(let regex): ["type": "string", "pattern": .string(regex)]
        }
    }

    private static func object(_ properties: JSONValue, required: [String] = [], closed: Bool = true) -> JSONValue {
        var o: JSONValue = ["type": "object", "properties": properties]
        if !required.isEmpty { o["required"] = .strings(required) }
        if closed { o["additionalProperties"] = false }
        return o
    }

    private static var string: JSONValue { ["type": "string"] }
    private static var number: JSONValue { ["type": "number"] }
    private static var boolean: JSONValue { ["type": "boolean"] }
    private static var integers: JSONValue { ["type": "array", "items": ["type": "integer", "minimum": 1]] }
    private static func integer(_ min: Int64, _ max: Int64) -> JSONValue { ["type": "integer", "minimum": .number(min), "maximum": .number(max)] }
    private static func oneOf(_ words: [String]) -> JSONValue { ["type": "string", "enum": .strings(words)] }
    /// One count per bin of a `SimilarityHistogram`.
    private static var counts: JSONValue {
        ["type": "array", "items": ["type": "integer", "minimum": 0],
         "minItems": .number(SimilarityHistogram.binCount), "maxItems": .number(SimilarityHistogram.binCount)]
    }
    private static var lastEventID: JSONValue {
        ["type": "integer", "description": "The newest event id when this was read: continue the event stream after it"]
    }
    private static var time: JSONValue { ["type": "string", "format": "date-time"] }
    private static func nullable(_ type: String) -> JSONValue { ["type": [.string(type), "null"]] }

    /// The job document's shape (README, "The job document"): types, kinds and the top-level
    /// bounds. Limits that depend on other fields (a batch size the dataset can fill, a hard
    /// pool smaller than the batch, a file that exists) are the validator's: such jobs get 422.
    private static var jobDocument: JSONValue {
        var o = object([
            "name": ["type": "string", "minLength": 1, "maxLength": 200],
            "dataset": ["oneOf": [
                object(["name": oneOf(DatasetLoader.builtinInfo().map(\.name)), "train_limit": nullable("integer"),
                        "scale": nullable("number"), "test_fraction": number], required: ["name"]),
                object(["format": oneOf(["idx"]), "path": string, "train_limit": nullable("integer"),
                        "scale": nullable("number"), "test_fraction": number], required: ["format", "path"]),
                object(["format": oneOf(["csv"]), "train": string, "test": nullable("string"), "label_column": string,
                        "train_limit": nullable("integer"), "test_fraction": number], required: ["format", "train"]),
                object(["format": oneOf(["arff"]), "train": string, "test": nullable("string"), "label_column": nullable("string"),
                        "train_limit": nullable("integer"), "test_fraction": number], required: ["format", "train"]),
                object(["format": oneOf(["npz"]), "path": string, "kind": oneOf(ArrayKind.allCases.map(\.rawValue)),
                        "train_limit": nullable("integer"), "scale": nullable("number"), "test_fraction": number],
                       required: ["format", "path"]),
                object(["format": oneOf(["npy"]), "x": string, "y": string, "kind": oneOf(ArrayKind.allCases.map(\.rawValue)),
                        "train_limit": nullable("integer"), "scale": nullable("number"), "test_fraction": number],
                       required: ["format", "x", "y"]),
            ], "description": "A built-in dataset by name, or files inside --data-dir (README, 'The job document')"],
            "model": object(["encoder": oneOf(EncoderKind.allCases.map(\.rawValue)), "hidden": integers,
                             "channels": integers, "projection": integers, "batch_norm": boolean]),
            "loss": object(["kind": oneOf(LossKind.allCases.map(\.rawValue)), "temperature": number, "tau_plus": number,
                            "beta": number, "hard_pool": ["type": "integer"], "synthetic": ["type": "integer"],
                            "mixing": oneOf(MixingMode.allCases.map(\.rawValue))]),
            "optimizer": object(["kind": oneOf(OptimizerKind.allCases.map(\.rawValue)), "lr": number, "momentum": number,
                                 "weight_decay": number, "nesterov": boolean, "beta1": number, "beta2": number, "eps": number,
                                 "trust_coefficient": number]),
            "schedule": object(["kind": oneOf(ScheduleKind.allCases.map(\.rawValue)), "warmup_epochs": number,
                                "min_lr_factor": number]),
            "augment": object(["crop": number, "flip": boolean, "jitter": number, "noise": number, "erase": number,
                               "mask": number]),
            "epochs": integer(1, 100_000), "batch_size": integer(2, 65536),
            "seed": ["type": "integer", "minimum": 0, "maximum": .number(UInt64.max)],
            "threads": integer(1, 64),
            "eval": object(["every_epochs": ["type": "integer"], "knn_k": ["type": "integer"], "knn_temperature": number,
                            "linear_probe": boolean, "diagnostics_every": ["type": "integer", "minimum": 0]]),
            "priority": integer(Int64.min, Int64.max), "max_restarts": integer(0, 1000),
            "max_seconds": ["type": "number", "exclusiveMinimum": 0],
        ], required: ["dataset"])
        o["description"] = "The job document (README, 'The job document'); every field but dataset has a default."
        return o
    }

    private static func schemas() -> JSONValue {
        let job = object([
            "id": string, "name": string,
            "status": oneOf(JobStatus.allCases.map(\.rawValue)),
            "job": ["type": "object"],
            "created_at": time, "started_at": ["type": ["string", "null"], "format": "date-time"],
            "finished_at": ["type": ["string", "null"], "format": "date-time"],
            "attempt": ["type": "integer"], "priority": ["type": "integer"], "max_restarts": ["type": "integer"],
            "restarts_used": ["type": "integer"], "cancel_requested": boolean, "resume_from_checkpoint": boolean,
            "queue_position": ["type": "integer"], "progress": nullable("object"), "metrics": ["type": "object"],
            "result": nullable("object"), "links": ["type": "object"], "last_event_id": lastEventID,
            "sweep": object(["id": string, "configuration": ["type": "integer"], "link": string]),
            "error": ["type": ["object", "null"], "properties": ["code": string, "message": string]],
        ], required: ["id", "name", "status", "job", "created_at", "attempt"], closed: false)
        let schemas: JSONValue = [
            "Error": object(["error": object([
                "code": string, "message": string,
                "details": ["type": "array", "items": object(["path": string, "reason": string], required: ["path", "reason"])],
            ], required: ["code", "message"])], required: ["error"]),
            "JobDocument": jobDocument,
            "Job": job,
            "ResolvedJob": object(["job": ["type": "object"]], required: ["job"]),
            "JobList": object(["jobs": ["type": "array", "items": ref("Job")], "next_cursor": nullable("string")],
                              required: ["jobs", "next_cursor"]),
            "Health": object(["status": string, "version": string, "jobs": ["type": "object"]], required: ["status", "version", "jobs"]),
            "DatasetList": object(["datasets": ["type": "array", "items": ["type": "object"]]], required: ["datasets"]),
            "Dataset": object([
                "name": string, "format": string, "bytes": ["type": "integer"], "sha256": string, "rows": ["type": "integer"],
                "classes": ["type": "array", "items": string], "class_counts": ["type": "array", "items": ["type": "integer"]],
                "imputed_values": ["type": "integer"], "dropped_columns": ["type": "array", "items": string],
                "source": ["type": "object"],
            ], required: ["name", "format", "bytes", "sha256", "rows", "classes", "class_counts", "source"], closed: false),
            "MetricSeries": object(["metrics": ["type": "array", "items": object([
                "name": string,
                "points": ["type": "array", "items": object(["step": ["type": "integer"], "value": nullable("number"), "time": time])],
            ], closed: false)], "last_event_id": lastEventID], required: ["metrics"], closed: false),
            "SimilarityHistogram": object([
                "step": ["type": "integer"], "epoch": ["type": "integer"],
                "bin_edges": ["type": "array", "items": number, "minItems": .number(SimilarityHistogram.binCount + 1),
                              "maxItems": .number(SimilarityHistogram.binCount + 1)],
                "positives": counts, "negatives": counts, "hard": counts, "synthetic": counts,
            ], required: ["step", "epoch", "bin_edges", "positives", "negatives"]),
            "SimilarityHistograms": object(["histograms": ["type": "array", "items": ref("SimilarityHistogram")],
                                            "last_event_id": lastEventID], required: ["histograms", "last_event_id"]),
            "LogLines": object(["lines": ["type": "array", "items": object(["id": ["type": "integer"], "time": time, "line": string])],
                                "last_event_id": lastEventID], required: ["lines"]),
            "SweepDocument": object([
                "name": ["type": "string", "minLength": 1, "maxLength": 150], "base": ref("JobDocument"),
                "parameters": ["type": "object", "minProperties": 1, "additionalProperties": ["type": "object"]],
                "method": oneOf(SweepSpec.Method.allCases.map(\.rawValue)), "trials": integer(1, Int64(SweepSpec.maxTrials)),
                "seed": ["type": "integer", "minimum": 0], "seeds": ["type": "array", "minItems": 1, "items": ["type": "integer", "minimum": 0]],
                "metric": object(["name": string, "goal": oneOf(SweepMetric.Goal.allCases.map(\.rawValue))]),
                "early_stopping": ["type": ["object", "null"], "description": "ASHA: rungs at min_epochs · reduction_factor^k epochs",
                                   "properties": ["kind": oneOf(["asha"]), "reduction_factor": integer(2, 100), "min_epochs": integer(1, 100_000)],
                                   "additionalProperties": false],
                "max_concurrent": integer(1, 1000),
                "priority": integer(Int64.min, Int64.max),
            ], required: ["base", "parameters"]),
            "Sweep": object([
                "id": string, "name": string, "status": oneOf(SweepRecord.Status.allCases.map(\.rawValue)),
                "created_at": time, "finished_at": ["type": ["string", "null"], "format": "date-time"],
                "max_concurrent": ["type": "integer"], "metric": ["type": "object"], "progress": ["type": "object"],
                "links": ["type": "object"], "sweep": ["type": "object"],
                "leaderboard": ["type": "array", "items": ["type": "object"]], "trials": ["type": "array", "items": ["type": "object"]],
                "asha": ["type": "object", "description": "With early_stopping: ASHA's decisions in the order made and the trials' rung values",
                         "properties": ["reduction_factor": ["type": "integer"], "min_epochs": ["type": "integer"],
                                        "decisions": ["type": "array", "items": ["type": "object"]],
                                        "rung_results": ["type": "array", "items": ["type": "object"]]]],
            ], required: ["id", "name", "status", "created_at", "progress"], closed: false),
            "SweepList": object(["sweeps": ["type": "array", "items": ref("Sweep")]], required: ["sweeps"]),
            "SweepDryRun": object(["sweep": ["type": "object"], "trials": ["type": "array", "items": ["type": "object"]]],
                                  required: ["sweep", "trials"]),
            "Object": ["type": "object"],
            "CancelRequest": object([:]),
            "RetryRequest": object(["fresh": boolean]),
        ]
        return schemas.merging(inferenceSchemas)
    }
}
