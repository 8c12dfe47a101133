import Foundation
import Logging
import SSCLStore

/// `sscl agent`: a node that runs jobs and serves nothing. It claims queued jobs from the shared
/// store (PostgreSQL), renews their leases and records what their workers report; jobs are
/// submitted through any `sscl serve` replica. On SQLite it is the one node of that database
/// and runs folder (the same locks as `sscl serve`).
public final class TrainingAgent: @unchecked Sendable {
    public let store: JobStore
    public let scheduler: JobScheduler
    let logger: Logger
    let instanceLocks: [InstanceLock]

    public init(scheduler configuration: JobScheduler.Configuration, store location: StoreLocation,
                migrations: URL, logger: Logger) throws {
        self.logger = logger
        if let data = configuration.dataDirectory {
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        }
        instanceLocks = try TrainingService.lockInstance(location, runs: configuration.runsDirectory)
        store = try JobStore(location: location, migrations: migrations, logger: logger)
        scheduler = JobScheduler(configuration: configuration, store: store, logger: logger)
    }

    public func start() throws {
        try scheduler.start()
        logger.notice("sscl agent running jobs", metadata: [
            "node": "\(scheduler.configuration.nodeID)", "store": "\(store.location)",
            "runs": "\(scheduler.configuration.runsDirectory.path)",
        ])
    }

    /// Graceful: workers checkpoint and their jobs go back to the queue (their leases end),
    /// to resume on whichever node claims them next.
    public func shutdown() {
        logger.notice("agent shutting down")
        scheduler.shutdown()
        try? store.close()
    }
}
