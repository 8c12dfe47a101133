import Foundation
import Logging
import SSCLHTTP
import SSCLStore

/// `sscl serve` assembled: the store, the scheduler, the event streams and the HTTP server.
/// Started in that order and stopped in reverse.
public final class TrainingService: @unchecked Sendable {
    public let configuration: ServiceConfiguration
    public let store: JobStore
    public let scheduler: JobScheduler
    let streams: EventStreamHub
    let telemetry = ServiceTelemetry()
    let server: HTTPServer
    let logger: Logger
    /// On SQLite, one server per database and per runs folder, for this object's life (the
    /// kernel drops them if the process dies). None on PostgreSQL, whose nodes share both.
    let instanceLocks: [InstanceLock]

    public enum StartError: Error, CustomStringConvertible {
        case tokenRequired(host: String)
        public var description: String {
            switch self {
            case let .tokenRequired(host): "binding to \(host) (not loopback) needs --token or SSCL_TOKEN"
            }
        }
    }

    public convenience init(configuration: ServiceConfiguration, scheduler schedulerConfiguration: JobScheduler.Configuration,
                            databasePath: String, migrations: URL, logger: Logger) throws {
        try self.init(configuration: configuration, scheduler: schedulerConfiguration,
                      store: .sqlite(path: databasePath), migrations: migrations, logger: logger)
    }

    public init(configuration: ServiceConfiguration, scheduler schedulerConfiguration: JobScheduler.Configuration,
                store location: StoreLocation, migrations: URL, logger: Logger) throws {
        if !configuration.isLoopback && (configuration.token ?? "").isEmpty {
            throw StartError.tokenRequired(host: configuration.host)
        }
        self.configuration = configuration
        self.logger = logger
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        instanceLocks = try Self.lockInstance(location, runs: schedulerConfiguration.runsDirectory)
        store = try JobStore(location: location, migrations: migrations, logger: logger)
        scheduler = JobScheduler(configuration: schedulerConfiguration, store: store, logger: logger)
        streams = EventStreamHub(store: store, logger: logger)
        let router = APIRouter(configuration: configuration, store: store, scheduler: scheduler,
                               streams: streams, telemetry: telemetry, logger: logger)
        var http = HTTPServerConfiguration()
        http.host = configuration.host
        http.port = configuration.port
        http.maxBodyBytes = configuration.maxBodyBytes
        http.headerTimeout = configuration.headerTimeout
        http.idleTimeout = configuration.idleTimeout
        http.maxConnections = configuration.maxConnections
        http.maxConnectionsPerAddress = configuration.maxConnectionsPerAddress
        http.minRequestBodyBytesPerSecond = configuration.minRequestBodyBytesPerSecond
        // Handler threads that wait for inference come on top of the ones the API needs.
        http.handlerThreads += configuration.maxInferenceRequests
        let telemetry = self.telemetry
        server = HTTPServer(configuration: http, handler: router, logger: logger,
                            onRequestCompleted: { request, status, seconds in
                                telemetry.record(method: request.method, status: status, seconds: seconds)
                            })
    }

    /// Before the store opens, on SQLite: a second server (or agent) on the same database or
    /// runs folder must not migrate, recover or run anything. PostgreSQL's nodes share both.
    static func lockInstance(_ location: StoreLocation, runs: URL) throws -> [InstanceLock] {
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        guard case .sqlite(let databasePath) = location else { return [] }
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: databasePath).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        return [
            try InstanceLock(path: databasePath + ".lock", guarding: "the database \(URL(fileURLWithPath: databasePath).standardizedFileURL.path)"),
            try InstanceLock(path: runs.appendingPathComponent(JobScheduler.lockFileName).path,
                             guarding: "the runs folder \(runs.path)"),
        ]
    }

    /// The bound port (after `start`).
    public var port: Int { server.port }

    public func start() throws {
        try scheduler.start()
        streams.start()
        try server.start()
        logger.notice("sscl serving", metadata: ["url": "http://\(configuration.host):\(server.port)/"])
    }

    /// Graceful: stop accepting, finish in-flight requests, checkpoint running jobs (they
    /// resume at the next start). Everything that reads the store stops before it closes: the
    /// event pump (joined), then the handler threads; if a handler outlives the grace period
    /// the store is left open for the process exit rather than closed under it.
    public func shutdown() {
        logger.notice("shutting down")
        streams.stop()
        let handlersStopped = server.shutdown(gracePeriod: 5)
        scheduler.shutdown()
        if handlersStopped {
            try? store.close()
        } else {
            logger.warning("a request handler is still running; the store stays open until exit")
        }
    }
}
