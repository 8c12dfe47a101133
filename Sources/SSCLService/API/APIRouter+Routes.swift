import SSCLHTTP
import SSCLStore

/// The route table: every endpoint once, with its handler, query parameters and documented
/// responses. The router, the query validation and `/openapi.json` all read it.
extension APIRouter {
    static let routes: [Route] = [
        Route(method: "GET", pattern: "/healthz", operationID: "healthz", summary: "Liveness and store check",
              responses: [.ok("Health")]) { router, _ in try router.healthz() },
        Route(method: "GET", pattern: "/metrics", operationID: "prometheus", summary: "Prometheus metrics",
              responses: [Route.Response(status: 200, description: "Prometheus text format 0.0.4",
                                         content: .text(contentType: "text/plain"))]) { router, _ in try router.prometheus() },
        Route(method: "GET", pattern: "/openapi.json", operationID: "openAPI", summary: "This API as OpenAPI 3.1",
              responses: [.ok("Object", "This document")]) { router, _ in .json(200, OpenAPIDocument.data(router.configuration)) },
        Route(method: "GET", pattern: "/v1/datasets", operationID: "datasets", summary: "Built-in and uploaded datasets",
              responses: [.ok("DatasetList")]) { router, _ in try router.listDatasets() },
        Route(method: "POST", pattern: "/v1/datasets", operationID: "uploadDataset",
              summary: "Upload a dataset: the raw file as the body (an image folder as .zip, .tar or .tar.gz)",
              query: [.pattern("name", APIRouter.datasetNamePattern, "The dataset's name, as jobs give it").asRequired(),
                      .oneOf("format", ["csv", "npz", "arff", "imagefolder"], "The body's format").asRequired(),
                      .boolean("replace", "Replace an upload of the same name (default false: 409)"),
                      .string("label_column", "csv: the label column (default label); arff: the class attribute (default the last)"),
                      .oneOf("kind", ["tabular", "image"], "npz: what x holds (default tabular)")],
              body: .file(contentTypes: ["text/csv", "application/octet-stream", "application/zip", "application/x-tar",
                                         "application/gzip"]),
              responses: [.ok("Dataset", "Stored and checked; Location names it", status: 201),
                          .error(409, "The name is taken (without replace=true), is a built-in's, or a queued or running job uses it"),
                          .error(413, "The body is larger than --max-upload-bytes"),
                          .error(422, "The file does not parse as its format, or the archive is unsafe (the error names the entry)")]) { router, call in
            try router.uploadDataset(call.request, call.query)
        },
        Route(method: "GET", pattern: "/v1/datasets/{id}", operationID: "getDataset", summary: "One uploaded dataset's summary",
              responses: [.ok("Dataset"), .error(404, "No uploaded dataset of that name")]) { router, call in
            try router.getDataset(call.id)
        },
        Route(method: "DELETE", pattern: "/v1/datasets/{id}", operationID: "deleteDataset", summary: "Delete an uploaded dataset",
              responses: [Route.Response(status: 204, description: "Deleted", content: .none),
                          .error(404, "No uploaded dataset of that name"),
                          .error(409, "A queued or running job uses it")]) { router, call in
            try router.deleteDataset(call.id)
        },
        Route(method: "GET", pattern: "/v1/defaults", operationID: "defaults", summary: "A complete default job document",
              responses: [.ok("ResolvedJob")]) { router, _ in try router.defaults() },
        Route(method: "POST", pattern: "/v1/jobs", operationID: "createJob", summary: "Submit a training job",
              query: [.boolean("dry_run", "Validate and return the resolved job; queue nothing")],
              headers: [.pattern("Idempotency-Key", APIRouter.idempotencyKeyPattern,
                                 "1 to 200 printable ASCII characters. Same key and body: the original response; same key, other body: 409")],
              body: .json(schema: "JobDocument", required: true),
              responses: [.ok("Job", "Queued; Location names the job", status: 201), .ok("ResolvedJob", "dry_run: the resolved job"),
                          .error(400, "The body is not JSON, or the Idempotency-Key is empty or too long"),
                          .error(409, "The Idempotency-Key was used with another body"),
                          .error(422, "The job document is invalid (details name every field)")]) { router, call in
            try router.createJob(call.request, dryRun: call.query.bool("dry_run") ?? false)
        },
        Route(method: "GET", pattern: "/v1/jobs", operationID: "listJobs", summary: "List jobs, newest first",
              query: [.oneOf("status", JobStatus.allCases.map(\.rawValue), "Only jobs in this status"),
                      .pattern("sweep", APIRouter.sweepIDPattern, "Only this sweep's trials"),
                      .integer("limit", 1...500, "Page size, default 50"),
                      .string("cursor", "next_cursor of the previous page")],
              responses: [.ok("JobList"), .error(400, "The cursor is not one this server gave, or sweep is not a sweep id"),
                          .error(404, "sweep names no sweep")]) { router, call in
            try router.listJobs(call.query)
        },
        Route(method: "GET", pattern: "/v1/jobs/{id}", operationID: "getJob", summary: "One job",
              responses: [.ok("Job"), .error(404, "No such job")]) { router, call in try router.getJob(call.id) },
        Route(method: "DELETE", pattern: "/v1/jobs/{id}", operationID: "deleteJob", summary: "Delete a finished job and its files",
              responses: [Route.Response(status: 204, description: "Deleted", content: .none), .error(404, "No such job"),
                          .error(409, "The job is queued or running")]) { router, call in try router.deleteJob(call.id) },
        Route(method: "GET", pattern: "/v1/jobs/{id}/metrics", operationID: "jobMetrics", summary: "Metric series",
              query: [.string("name", "Comma-separated metric names (default: all)"),
                      .integer("after_step", "Only points after this step"),
                      .integer("max_points", 2...100_000, "Downsample each series keeping its min/max shape")],
              responses: [.ok("MetricSeries"), .error(404, "No such job")]) { router, call in
            try router.jobMetrics(call.id, call.query)
        },
        Route(method: "GET", pattern: "/v1/jobs/{id}/similarity_histograms", operationID: "jobSimilarityHistograms",
              summary: "Cosine-similarity histograms of training batches (false-negative diagnostics), oldest first",
              query: [.integer("last", 1...10_000, "The most recent this many measured steps, default \(APIRouter.defaultHistogramCount)")],
              responses: [.ok("SimilarityHistograms"), .error(404, "No such job")]) { router, call in
            try router.jobSimilarityHistograms(call.id, call.query)
        },
        Route(method: "GET", pattern: "/v1/jobs/{id}/events", operationID: "jobEvents", summary: "Server-Sent Events",
              query: [.integer("last_event_id", "Continue after this event (as the Last-Event-ID header)")],
              headers: [.integer("Last-Event-ID", "Continue after this event id")],
              responses: [Route.Response(status: 200, description: "History first (or everything after Last-Event-ID), then live; "
                                                     + "the stream ends once the job has finished and everything was sent",
                                         content: .eventStream),
                          .error(400, "Last-Event-ID is not an event id"), .error(404, "No such job")]) { router, call in
            try router.jobEvents(call.id, call.request)
        },
        Route(method: "GET", pattern: "/v1/jobs/{id}/logs", operationID: "jobLogs", summary: "Worker log lines",
              query: [.integer("after_id", "Only lines after this id"), .integer("limit", 1...10_000, "At most this many lines, default 10000")],
              responses: [.ok("LogLines"), .error(404, "No such job")]) { router, call in try router.jobLogs(call.id, call.query) },
        Route(method: "POST", pattern: "/v1/jobs/{id}/cancel", operationID: "cancelJob", summary: "Cancel a queued or running job",
              body: .json(schema: "CancelRequest", required: false),
              responses: [.ok("Job", "A queued job, cancelled"),
                          .ok("Job", "A running job: cancel_requested is set and the worker told to stop; the job's status event says when it has",
                              status: 202), .error(400, "The body is not a JSON object"), .error(404, "No such job"),
                          .error(409, "The job has already finished"), .error(422, "The body has a key other than none")]) { router, call in
            try router.cancelJob(call.id, call.request)
        },
        Route(method: "POST", pattern: "/v1/jobs/{id}/retry", operationID: "retryJob", summary: "Queue a failed or cancelled job again",
              body: .json(schema: "RetryRequest", required: false),
              responses: [.ok("Job"), .error(400, "The body is not a JSON object"), .error(404, "No such job"),
                          .error(409, "The job is not failed or cancelled"),
                          .error(422, "The body has an unknown key or fresh is not a boolean")]) { router, call in
            try router.retryJob(call.id, call.request)
        },
        Route(method: "POST", pattern: "/v1/sweeps", operationID: "createSweep", summary: "Submit a hyperparameter sweep",
              query: [.boolean("dry_run", "Validate and return the configurations and trials; queue nothing")],
              body: .json(schema: "SweepDocument", required: true),
              responses: [.ok("Sweep", "Queued; Location names the sweep", status: 201), .ok("SweepDryRun", "dry_run: the trials"),
                          .error(400, "The body is not JSON"),
                          .error(422, "The sweep or one of its trials is invalid (details name the sweep field, e.g. parameters[\"loss.beta\"].values[2])")]) { router, call in
            try router.createSweep(call.request, dryRun: call.query.bool("dry_run") ?? false)
        },
        Route(method: "GET", pattern: "/v1/sweeps", operationID: "listSweeps", summary: "List sweeps, newest first",
              query: [.integer("limit", 1...500, "At most this many, default 100")],
              responses: [.ok("SweepList")]) { router, call in try router.listSweeps(call.query) },
        Route(method: "GET", pattern: "/v1/sweeps/{id}", operationID: "getSweep", summary: "One sweep: progress, leaderboard and trials",
              responses: [.ok("Sweep"), .error(404, "No such sweep")]) { router, call in try router.getSweep(call.id) },
        Route(method: "POST", pattern: "/v1/sweeps/{id}/cancel", operationID: "cancelSweep", summary: "Cancel a sweep and its unfinished trials",
              responses: [.ok("Sweep", "Cancelled; running trials are told to stop"), .error(404, "No such sweep"),
                          .error(409, "The sweep has already ended")]) { router, call in try router.cancelSweep(call.id) },
        Route(method: "GET", pattern: "/v1/sweeps/{id}/results.csv", operationID: "sweepResults", summary: "One row per trial: parameters and metrics",
              responses: [Route.Response(status: 200, description: "CSV with a header row", content: .text(contentType: "text/csv")),
                          .error(404, "No such sweep")]) { router, call in try router.sweepResults(call.id) },
        Route(method: "GET", pattern: "/v1/jobs/{id}/model.safetensors", operationID: "downloadModel", summary: "The trained model",
              responses: [Route.Response(status: 200, description: "The file", content: .binary),
                          .error(404, "No such job"),
                          .error(409, "The job has no model (yet): only a succeeded job has one")]) { router, call in
            try router.download(call.id, file: "model.safetensors", type: "application/octet-stream")
        },
        Route(method: "GET", pattern: "/v1/jobs/{id}/checkpoint", operationID: "downloadCheckpoint", summary: "The latest checkpoint",
              responses: [Route.Response(status: 200, description: "The file", content: .binary),
                          .error(404, "No such job"),
                          .error(409, "The job has no checkpoint (yet): it has not trained an epoch")]) { router, call in
            try router.download(call.id, file: "checkpoint.bin", type: "application/octet-stream")
        },
        Route(method: "POST", pattern: "/v1/jobs/{id}/embed", operationID: "embed",
              summary: "The encoder's representation f(x) of raw rows, or of one PNG/JPEG for image jobs",
              query: [.boolean("normalize", "L2-normalise each embedding (default false)")],
              body: .jsonOrFile(schema: "EmbedRequest", fileTypes: ["image/png", "image/jpeg"]),
              responses: [.ok("Embeddings"), .error(400, "The body is not JSON of the EmbedRequest shape (the error names the field)"),
                          .error(404, "No such job"),
                          .error(409, "The job has no weights yet (no checkpoint, no model), or its data cannot be loaded"),
                          .error(413, "The body is larger than the server's --max-body-bytes"),
                          .error(415, "The body is neither application/json nor image/png or image/jpeg"),
                          .error(422, "An input is wrong: the row count, a row's width, a non-finite value, an undecodable image (the error names it)"),
                          .error(503, "--max-inference-requests requests are already running or waiting (Retry-After)")]) { router, call in
            try router.embed(call.id, call.request, normalize: call.query.bool("normalize") ?? false)
        },
        Route(method: "POST", pattern: "/v1/jobs/{id}/neighbors", operationID: "neighbors",
              summary: "The k most similar train rows (cosine of f(x)) of each input",
              query: [.integer("k", 1...100, "Neighbours per input when the body does not say (default 10)")],
              body: .jsonOrFile(schema: "NeighborsRequest", fileTypes: ["image/png", "image/jpeg"]),
              responses: [.ok("Neighbors"), .error(400, "The body is not JSON of the NeighborsRequest shape (the error names the field)"),
                          .error(404, "No such job"),
                          .error(409, "The job has no weights yet (no checkpoint, no model), or its data cannot be loaded"),
                          .error(413, "The body is larger than the server's --max-body-bytes"),
                          .error(415, "The body is neither application/json nor image/png or image/jpeg"),
                          .error(422, "An input or k is wrong (the error names it)"),
                          .error(503, "--max-inference-requests requests are already running or waiting (Retry-After)")]) { router, call in
            try router.neighbors(call.id, call.request, k: call.query.int("k"))
        },
        Route(method: "GET", pattern: "/v1/jobs/{id}/projection", operationID: "projection",
              summary: "PCA of up to 2000 test rows' representations, with the newest weights",
              responses: [.ok("Projection"), .error(404, "No such job"),
                          .error(409, "The job has no weights yet, or its data cannot be loaded"),
                          .error(503, "--max-inference-requests requests are already running or waiting (Retry-After)")]) { router, call in
            try router.projection(call.id)
        },
        Route(method: "GET", pattern: "/v1/jobs/{id}/items/{index}", operationID: "item",
              summary: "One row of a split (raw values or the image) and its nearest train rows",
              query: [.oneOf("split", ["train", "test"], "The split the index is in (default test)"),
                      .integer("k", 1...100, "Neighbours (default 5)")],
              responses: [.ok("Item"), .error(404, "No such job, or no such item: the index is not a number or beyond the split"),
                          .error(409, "The job has no weights yet (no checkpoint, no model), or its data cannot be loaded"),
                          .error(503, "--max-inference-requests requests are already running or waiting (Retry-After)")]) { router, call in
            try router.item(call.id, call.request, call.query)
        },
    ]
}
