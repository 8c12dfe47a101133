import ArgumentParser
import Foundation
import Logging
import SSCLEngine
import SSCLService
import SSCLStore

/// `sscl agent`: runs jobs from a shared store, with no HTTP server.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run jobs from a shared store (no HTTP): claim queued jobs, train them, record their output.",
        discussion: """
            Jobs are submitted through any `sscl serve --store` replica of the same store. Every node \
            needs the same --runs-dir (a network file system shared by all nodes) so that a job resumes \
            from its checkpoint on any of them. SIGINT/SIGTERM stop gracefully: running jobs checkpoint \
            and go back to the queue for another node.
            """
    )

    @Option(help: ArgumentHelp("The store: postgres://user@host:port/db (or sqlite:PATH for a single node).", valueName: "URL"))
    var store: String
    @Option(help: ArgumentHelp("Job folders (checkpoints, models), shared by every node.", valueName: "DIR")) var runsDir = ".sscl/runs"
    @Option(help: ArgumentHelp("Dataset paths in jobs resolve inside this folder.", valueName: "DIR")) var dataDir = ".sscl/data"
    @Option(help: "Jobs trained at the same time on this node.") var maxConcurrentJobs = 1
    @Option(help: ArgumentHelp("Seconds a worker gets to checkpoint after a cancel, its max_seconds or a shutdown, before it is killed.",
                               valueName: "SECONDS")) var stopGrace: Double = 5
    @Option(help: ArgumentHelp("Seconds a running job's lease lasts unless renewed (renewed every fifth of it).", valueName: "SECONDS"))
    var leaseSeconds: Double = 15
    @Option(help: ArgumentHelp("The migrations folder (default: migrations/ found beside the binary or here).", valueName: "DIR"))
    var migrations: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"

    func validate() throws {
        guard maxConcurrentJobs >= 1 else { throw ValidationError("--max-concurrent-jobs must be >= 1") }
        guard stopGrace >= 0 && stopGrace <= 3600 else { throw ValidationError("--stop-grace must be in 0...3600 seconds") }
        guard leaseSeconds >= 1 && leaseSeconds <= 3600 else { throw ValidationError("--lease-seconds must be in 1...3600") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        _ = try ServeCommand.storeLocation(store: store, db: nil)
    }

    func run() throws {
        let logger = LongRunningCommand.bootstrapLogging(level: logLevel)
        let migrationsURL = try LongRunningCommand.migrationsFolder(migrations)
        var scheduler = JobScheduler.Configuration(
            executable: ServeCommand.executableURL, runsDirectory: URL(fileURLWithPath: runsDir).standardizedFileURL,
            dataDirectory: URL(fileURLWithPath: dataDir).standardizedFileURL, maxConcurrentJobs: maxConcurrentJobs)
        scheduler.stopGracePeriod = stopGrace
        scheduler.leaseSeconds = leaseSeconds
        let agent: TrainingAgent
        do {
            let location = try ServeCommand.storeLocation(store: store, db: nil)
            agent = try TrainingAgent(scheduler: scheduler, store: location, migrations: migrationsURL, logger: logger)
            try agent.start()
        } catch {
            printError("cannot start: \(error)")
            throw ExitCode(1)
        }
        printError("sscl \(SSCLVersion.string) agent \(scheduler.nodeID) running jobs (Ctrl-C to stop)")

        LongRunningCommand.waitForStopSignal()
        agent.shutdown()
    }
}
