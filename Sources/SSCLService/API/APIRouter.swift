import Foundation
import Logging
import SSCLEngine
import SSCLHTTP
import SSCLStore

/// The REST API and the dashboard's static files, as an `HTTPHandler`: the steps of
/// `middleware` in order, then the route table `routes` (validated query, then the handler).
/// Handlers run on the HTTP server's handler threads; none waits on training (the scheduler
/// answers at once). Tests call `handle(_:)` directly, without a socket.
final class APIRouter: HTTPHandler, @unchecked Sendable {
    let configuration: ServiceConfiguration
    let store: JobStore
    let scheduler: JobScheduler
    let streams: EventStreamHub
    let telemetry: ServiceTelemetry
    let logger: Logger
    /// The Host, token and origin checks, outermost first.
    let middleware: [any APIMiddleware]
    let uploads: DatasetUploads
    /// Embed, neighbours, projection and items (`APIRouter+Inference`).
    let inference: InferenceService
    /// An uploaded dataset's name (`[A-Za-z0-9._-]{1,64}`, not starting with a dot).
    static let datasetNamePattern = "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$"

    init(configuration: ServiceConfiguration, store: JobStore, scheduler: JobScheduler,
         streams: EventStreamHub, telemetry: ServiceTelemetry, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.scheduler = scheduler
        self.streams = streams
        self.telemetry = telemetry
        self.logger = logger
        middleware = Self.middleware(configuration)
        uploads = DatasetUploads(dataDirectory: configuration.dataDirectory, limits: configuration.archiveLimits)
        inference = InferenceService(threads: configuration.inferenceThreads, maxRequests: configuration.maxInferenceRequests,
                                     cacheBytes: configuration.embeddingCacheBytes,
                                     dataDirectory: configuration.dataDirectory, logger: logger)
    }

    static func middleware(_ configuration: ServiceConfiguration) -> [any APIMiddleware] {
        [HostCheck(configuration: configuration), TokenCheck(configuration: configuration),
         OriginCheck(configuration: configuration)]
    }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        do {
            let chain = middleware.reversed().reduce({ try self.route($0) } as (HTTPRequest) throws -> HTTPResponse) { next, step in
                { request in try step.handle(request, next: next) }
            }
            return try chain(request)
        } catch let error as APIError {
            return error.response
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.path)", "error": "\(error)"])
            return APIError(status: 500, code: "internal", message: "\(error)").response
        }
    }

    /// The route table: 404 for no path, 405 (with `Allow`) for a path without this method,
    /// 400 for an unknown or malformed query parameter, else the handler.
    private func route(_ request: HTTPRequest) throws -> HTTPResponse {
        let matches = Self.routes.compactMap { route in route.match(request.path).map { (route, $0) } }
        guard !matches.isEmpty else {
            if request.method == "GET", !TokenCheck.isAPI(request.path), let response = staticFile(request.path) {
                return response
            }
            throw APIError.notFound("no such path: \(request.path)")
        }
        guard let (route, id) = matches.first(where: { $0.0.method == request.method }) else {
            let allow = Self.allowedMethods(matches.map(\.0))
            throw APIError(status: 405, code: "method_not_allowed",
                           message: "\(request.wireMethod) is not allowed on \(request.path); use \(allow)",
                           headers: ["Allow": allow])
        }
        switch QueryValues.validate(request.query, against: route.query) {
        case .failure(let invalid):
            throw Self.invalid(invalid.issues.map { ($0.name, $0.reason) }, status: 400)
        case .success(let query):
            return try route.handler(self, Route.Call(request: request, id: id, query: query))
        }
    }

    /// The `Allow` value of a path: its methods, and HEAD wherever GET is served.
    static func allowedMethods(_ routes: [Route]) -> String {
        var methods = Set(routes.map(\.method))
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted().joined(separator: ", ")
    }

    /// Everything `route` can answer: its handler's responses, the table's 400 for a bad query,
    /// and what each step in front adds.
    static func documentedResponses(of route: Route, configuration: ServiceConfiguration) -> [Route.Response] {
        var all = route.responses
        all.append(.error(400, "A query parameter is unknown or malformed (the error names it)"))
        for step in middleware(configuration) { all += step.responses(for: route) }
        if case .json = route.body {
            all.append(.error(413, "The body is larger than the server's --max-body-bytes"))
            all.append(.error(415, "The body is not Content-Type: application/json"))
        }
        var merged: [Int: Route.Response] = [:]
        for response in all {
            if let earlier = merged[response.status] {
                merged[response.status] = Route.Response(status: response.status,
                                                         description: earlier.description + "; " + response.description,
                                                         content: earlier.content)
            } else {
                merged[response.status] = response
            }
        }
        return merged.values.sorted { $0.status < $1.status }
    }
}
