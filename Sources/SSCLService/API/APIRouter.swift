import Foundation
import Logging
import SSCLEngine
import SSCLHTTP
import SSCLStore

/// The REST API and the dashboard's static files, as an `HTTPHandler`. Handlers run on the HTTP
/// server's handler threads; none waits on training (the scheduler answers at once).
final class APIRouter: HTTPHandler, @unchecked Sendable {
    let configuration: ServiceConfiguration
    let store: JobStore
    let scheduler: JobScheduler
    let streams: EventStreamHub
    let telemetry: ServiceTelemetry
    let logger: Logger

    init(configuration: ServiceConfiguration, store: JobStore, scheduler: JobScheduler,
         streams: EventStreamHub, telemetry: ServiceTelemetry, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.scheduler = scheduler
        self.streams = streams
        self.telemetry = telemetry
        self.logger = logger
    }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        do {
            try checkHost(request)
            if request.path.hasPrefix("/v1/") || request.path == "/v1" {
                try checkToken(request)
            } else {
                try checkCrossOrigin(request)
            }
            let matches = Route.all.compactMap { route in route.match(request.path).map { (route, $0) } }
            guard !matches.isEmpty else {
                if request.method == "GET", !request.path.hasPrefix("/v1/"), let response = staticFile(request.path) {
                    return response
                }
                throw APIError.notFound("no such path: \(request.path)")
            }
            guard let (route, id) = matches.first(where: { $0.0.method == request.method }) else {
                let allow = Set(matches.map(\.0.method)).sorted().joined(separator: ", ")
                throw APIError(status: 405, code: "method_not_allowed",
                               message: "\(request.method) is not allowed on \(request.path); use \(allow)",
                               headers: ["Allow": allow])
            }
            return try dispatch(route.operation, id: id, request: request)
        } catch let error as APIError {
            return error.response
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.path)", "error": "\(error)"])
            return APIError(status: 500, code: "internal", message: "\(error)").response
        }
    }

    private func dispatch(_ operation: Route.Operation, id: String, request: HTTPRequest) throws -> HTTPResponse {
        switch operation {
        case .healthz: return try healthz()
        case .prometheus: return try prometheus()
        case .openAPI: return .json(200, OpenAPIDocument.data())
        case .datasets: return datasets()
        case .defaults: return defaults()
        case .createJob: return try createJob(request)
        case .listJobs: return try listJobs(request)
        case .getJob: return try getJob(id)
        case .deleteJob: return try deleteJob(id)
        case .jobMetrics: return try jobMetrics(id, request)
        case .jobEvents: return try jobEvents(id, request)
        case .jobLogs: return try jobLogs(id, request)
        case .cancelJob: return try cancelJob(id, request)
        case .retryJob: return try retryJob(id, request)
        case .downloadModel: return try download(id, file: "model.safetensors", type: "application/octet-stream")
        case .downloadCheckpoint: return try download(id, file: "checkpoint.bin", type: "application/octet-stream")
        }
    }

    // MARK: - Security

    /// DNS rebinding: on a loopback bind, only the bound address, localhost and configured
    /// names are accepted as `Host`.
    private func checkHost(_ request: HTTPRequest) throws {
        guard configuration.isLoopback else { return }
        guard let host = request.headers["Host"] else { return }  // HTTP/1.0 without Host
        let name = Self.hostName(host).lowercased()
        let allowed = Set(["127.0.0.1", "localhost", "::1", configuration.host.lowercased()]
                          + configuration.allowedHosts.map { $0.lowercased() })
        guard allowed.contains(name) else {
            throw APIError(status: 421, code: "misdirected_request",
                           message: "Host \(host) is not served here; use --allowed-host to accept it")
        }
    }

    /// `host:port`, `[::1]:port` or `host` → the name.
    static func hostName(_ value: String) -> String {
        if value.hasPrefix("["), let end = value.firstIndex(of: "]") {
            return String(value[value.index(after: value.startIndex)..<end])
        }
        if let colon = value.lastIndex(of: ":"), value.filter({ $0 == ":" }).count == 1 {
            return String(value[..<colon])
        }
        return value
    }

    private func checkToken(_ request: HTTPRequest) throws {
        guard let token = configuration.token else {
            try checkCrossOrigin(request)
            return
        }
        let given = request.headers["Authorization"].flatMap { value -> String? in
            let parts = value.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : nil
        }
        guard let given, Self.constantTimeEqual(given, token) else {
            throw APIError(status: 401, code: "unauthorized", message: "this server needs Authorization: Bearer <token>",
                           headers: ["WWW-Authenticate": "Bearer"])
        }
    }

    /// Without a token, state-changing requests from another origin (a web page the user
    /// visits) are refused: the browser sends `Origin` on cross-origin POSTs.
    private func checkCrossOrigin(_ request: HTTPRequest) throws {
        guard request.method != "GET", let origin = request.headers["Origin"] else { return }
        let originHost = URL(string: origin).map { u in u.host.map { h in u.port.map { "\(h):\($0)" } ?? h } ?? "" } ?? ""
        let host = request.headers["Host"] ?? ""
        guard !originHost.isEmpty, originHost.lowercased() == host.lowercased() else {
            throw APIError(status: 403, code: "cross_origin",
                           message: "cross-origin \(request.method) requests are refused without a token")
        }
    }

    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
