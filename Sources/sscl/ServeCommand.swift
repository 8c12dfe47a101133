import ArgumentParser
import Foundation
import Logging
import SSCLEngine
import SSCLService
import SSCLStore

/// `sscl serve`: the long-running training service.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the training service: REST API, scheduler and dashboard.",
        discussion: """
            With no arguments: http://127.0.0.1:8080/, database and data under ./.sscl/, built-in \
            datasets. SIGINT/SIGTERM stop gracefully: running jobs checkpoint and resume at the next start. \
            With --store postgres://... several replicas (and `sscl agent`s) share one database and \
            runs folder; --max-concurrent-jobs 0 serves the API without running jobs.
            """
    )

    @Option(help: "Address to bind (non-loopback needs --token).") var host = "127.0.0.1"
    @Option(help: "Port (0 picks a free one).") var port = 8080
    @Option(help: ArgumentHelp("The store: sqlite:PATH, a path, or postgres://user@host:port/db (default .sscl/sscl.db).",
                               valueName: "URL")) var store: String?
    @Option(help: ArgumentHelp("SQLite database file (the same as --store PATH).", valueName: "PATH")) var db: String?
    @Option(help: ArgumentHelp("Dataset paths in jobs resolve inside this folder.", valueName: "DIR")) var dataDir = ".sscl/data"
    @Option(help: ArgumentHelp("Job folders (checkpoints, models).", valueName: "DIR")) var runsDir = ".sscl/runs"
    @Option(help: "Jobs trained at the same time (0: serve the API only).") var maxConcurrentJobs = 1
    @Option(help: ArgumentHelp("Seconds a running job's lease lasts unless renewed (renewed every fifth of it).", valueName: "SECONDS"))
    var leaseSeconds: Double = 15
    @Option(help: "Require Authorization: Bearer <token> on /v1 (or set SSCL_TOKEN).") var token: String?
    @Option(help: "Another host name to accept in the Host header (repeatable).") var allowedHost: [String] = []
    @Option(help: ArgumentHelp("The dashboard's folder (default: Public/ found beside the binary or here).", valueName: "DIR"))
    var publicDir: String?
    @Option(help: ArgumentHelp("The migrations folder (default: migrations/ found beside the binary or here).", valueName: "DIR"))
    var migrations: String?
    @Option(help: "Largest accepted request body in bytes.") var maxBodyBytes = 1 << 20
    @Option(help: "Largest dataset upload (POST /v1/datasets) in bytes; streamed to disk.") var maxUploadBytes = 2 << 30
    @Option(help: ArgumentHelp("Seconds a worker gets to finish its step and checkpoint after a cancel, its max_seconds or a shutdown, before it is killed.", valueName: "SECONDS"))
    var stopGrace: Double = 5
    @Option(help: "Open connections (at the limit the longest-idle keep-alive one is closed).") var maxConnections = 1024
    @Option(help: "Open connections from one remote address.") var maxConnectionsPerAddress = 256
    @Option(help: "Bytes/s a request body must average after its first 5 s (0: no minimum).") var minBodyRate = 240.0
    @Option(help: "Threads of the server's own for embed, neighbors and projections.") var inferenceThreads = 1
    @Option(help: ArgumentHelp("Memory for cached datasets, weights and train embeddings used by embed and neighbors.", valueName: "MB"))
    var embeddingCacheMb = 512
    @Option(help: "Embed, neighbors, projection and item requests running or waiting at once (more get 503).")
    var maxInferenceRequests = 16
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        guard maxConcurrentJobs >= 0 else { throw ValidationError("--max-concurrent-jobs must be >= 0") }
        guard leaseSeconds >= 1 && leaseSeconds <= 3600 else { throw ValidationError("--lease-seconds must be in 1...3600") }
        _ = try Self.storeLocation(store: store, db: db)
        guard stopGrace >= 0 && stopGrace <= 3600 else { throw ValidationError("--stop-grace must be in 0...3600 seconds") }
        guard maxConnections >= 1, maxConnectionsPerAddress >= 1 else {
            throw ValidationError("--max-connections and --max-connections-per-address must be >= 1")
        }
        guard minBodyRate >= 0, minBodyRate.isFinite else { throw ValidationError("--min-body-rate must be >= 0") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() throws {
        let logger = LongRunningCommand.bootstrapLogging(level: logLevel)
        let migrationsURL = try LongRunningCommand.migrationsFolder(migrations)
        var configuration = ServiceConfiguration(dataDirectory: URL(fileURLWithPath: dataDir).standardizedFileURL)
        configuration.host = host
        configuration.port = port
        configuration.token = token ?? ProcessInfo.processInfo.environment["SSCL_TOKEN"]
        if configuration.token?.isEmpty == true { configuration.token = nil }
        configuration.allowedHosts = allowedHost
        configuration.publicDirectory = publicDir.map { URL(fileURLWithPath: $0) } ?? Self.locate("Public", marker: "index.html")
        configuration.maxBodyBytes = maxBodyBytes
        configuration.maxUploadBytes = maxUploadBytes
        configuration.maxConnections = maxConnections
        configuration.maxConnectionsPerAddress = maxConnectionsPerAddress
        configuration.minRequestBodyBytesPerSecond = minBodyRate
        configuration.inferenceThreads = max(1, inferenceThreads)
        configuration.embeddingCacheBytes = max(0, embeddingCacheMb) << 20
        configuration.maxInferenceRequests = max(0, maxInferenceRequests)
        var scheduler = JobScheduler.Configuration(
            executable: Self.executableURL, runsDirectory: URL(fileURLWithPath: runsDir).standardizedFileURL,
            dataDirectory: configuration.dataDirectory, maxConcurrentJobs: maxConcurrentJobs)
        scheduler.stopGracePeriod = stopGrace
        scheduler.leaseSeconds = leaseSeconds
        let service: TrainingService
        do {
            let location = try Self.storeLocation(store: store, db: db)
            service = try TrainingService(configuration: configuration, scheduler: scheduler,
                                          store: location, migrations: migrationsURL, logger: logger)
            try service.start()
        } catch {
            printError("cannot start: \(error)")
            throw ExitCode(1)
        }
        if configuration.publicDirectory == nil { logger.warning("no Public/ folder found: the dashboard is not served") }
        printError("sscl \(SSCLVersion.string) serving http://\(host == "::1" ? "[::1]" : host):\(service.port)/ (Ctrl-C to stop)")

        LongRunningCommand.waitForStopSignal()
        service.shutdown()
    }

    /// `--store`, or `--db` (kept for compatibility), or the default SQLite file.
    static func storeLocation(store: String?, db: String?) throws -> StoreLocation {
        switch (store, db) {
        case let (store?, db?):
            let location = try StoreLocation(parsing: store)
            guard location == .sqlite(path: db) else {
                throw ValidationError("--store \(store) and --db \(db) name different stores; give one of them")
            }
            return location
        case let (store?, nil):
            do { return try StoreLocation(parsing: store) } catch let error as StoreLocation.ParseError {
                throw ValidationError(error.description)
            }
        case let (nil, db?):
            return .sqlite(path: db)
        case (nil, nil):
            return .sqlite(path: StoreLocation.defaultSQLitePath)
        }
    }

    /// This process's own binary, which also provides `sscl worker`.
    static var executableURL: URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }

    /// A folder named `name` holding `marker`: env override, then upwards from the binary, then here.
    static func locate(_ name: String, marker: String) -> URL? {
        if let env = ProcessInfo.processInfo.environment["SSCL_PUBLIC"] { return URL(fileURLWithPath: env) }
        var starts = [executableURL.deletingLastPathComponent()]
        starts.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        for start in starts {
            var dir = start
            for _ in 0..<6 {
                let candidate = dir.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent(marker).path) { return candidate }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }
}
