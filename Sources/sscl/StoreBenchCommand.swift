import ArgumentParser
import Foundation
import Logging
import SSCLStore

/// `sscl store-bench --store URL`: how fast a store claims jobs and takes metric points, the
/// two rates a cluster of nodes leans on (issue 12). Queues `--jobs` jobs, claims them all from
/// `--claimers` threads at once (each a node, as agents claim), then appends `--batches`
/// batches of `--points` points to each claimed job from `--writers` threads, fenced by the
/// job's lease as a node writes them. Prints one JSON line; `benchmarks/store.py` runs it on
/// SQLite and PostgreSQL side by side.
struct StoreBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-bench",
        abstract: "Measure jobs claimed per second and metric points written per second on a store.",
        shouldDisplay: false
    )

    @Option(help: ArgumentHelp("The store (a fresh one: the benchmark adds jobs to it).", valueName: "URL")) var store: String
    @Option(help: ArgumentHelp("The migrations folder (default: migrations/ found beside the binary or here).", valueName: "DIR"))
    var migrations: String?
    @Option(help: "Jobs queued and then claimed.") var jobs = 400
    @Option(help: "Threads claiming at once (one node each).") var claimers = 4
    @Option(help: "Threads appending metric points at once.") var writers = 4
    @Option(help: "Metric batches per writer.") var batches = 50
    @Option(help: "Points per batch (a worker's 0.25 s flush carries 10 to 100).") var points = 50

    /// The one JSON line the command prints.
    struct Report: Codable {
        var store: String
        var jobs: Int
        var claimers: Int
        var claimSeconds: Double
        var claimsPerSecond: Double
        var writers: Int
        var points: Int
        var metricSeconds: Double
        var pointsPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case store, jobs, claimers, writers, points
            case claimSeconds = "claim_seconds", claimsPerSecond = "claims_per_second"
            case metricSeconds = "metric_seconds", pointsPerSecond = "points_per_second"
        }
    }

    func validate() throws {
        guard jobs >= 1, claimers >= 1, writers >= 1, batches >= 1, points >= 1 else {
            throw ValidationError("--jobs, --claimers, --writers, --batches and --points must be >= 1")
        }
        guard writers <= jobs else { throw ValidationError("--writers must be <= --jobs (one claimed job each)") }
        _ = try StoreLocation(parsing: store)
    }

    func run() throws {
        let logger = Logger(label: "sscl.store-bench") { _ in SwiftLogNoOpLogHandler() }
        let migrationsURL = try LongRunningCommand.migrationsFolder(migrations)
        let location = try StoreLocation(parsing: store)
        let jobStore = try JobStore(location: location, migrations: migrationsURL, logger: logger)
        defer { try? jobStore.close() }
        for i in 0..<jobs {
            _ = try jobStore.createJob(name: "bench-\(i)", priority: 0, maxRestarts: 0, submittedJSON: "{}", resolvedJSON: "{}")
        }

        // Claims: every thread claims until the queue is empty.
        let claimed = Collected<JobLease>()
        let claimStart = ContinuousClock.now
        try Self.onThreads(claimers) { thread in
            while let (_, lease) = try jobStore.claimNextJob(node: "bench-node-\(thread)", leaseSeconds: 600) {
                claimed.append(lease)
            }
        }
        let claimSeconds = Self.seconds(since: claimStart)
        let leases = claimed.values
        guard leases.count == jobs, Set(leases.map(\.jobID)).count == jobs else {
            printError("store-bench: \(leases.count) claims for \(jobs) jobs (\(Set(leases.map(\.jobID)).count) distinct)")
            throw ExitCode(1)
        }

        // Metrics: writer w appends its batches to job w under that job's lease.
        let names = ["loss", "lr", "images_per_s", "fn_rate_all", "fn_rate_hard"]
        let batchSize = points
        let metricStart = ContinuousClock.now
        try Self.onThreads(writers) { w in
            let lease = leases[w]
            var step = 0
            for _ in 0..<batches {
                var batch: [MetricPoint] = []
                batch.reserveCapacity(batchSize)
                while batch.count < batchSize {
                    for name in names where batch.count < batchSize {
                        batch.append(MetricPoint(name: name, step: step, value: Double(step) * 0.001, time: Date()))
                    }
                    step += 1
                }
                try jobStore.appendMetrics(jobID: lease.jobID, points: batch, lease: lease)
            }
        }
        let metricSeconds = Self.seconds(since: metricStart)
        let total = writers * batches * points
        let report = Report(store: location.description, jobs: jobs, claimers: claimers, claimSeconds: claimSeconds,
                            claimsPerSecond: Double(jobs) / claimSeconds, writers: writers, points: total,
                            metricSeconds: metricSeconds, pointsPerSecond: Double(total) / metricSeconds)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Runs `body(0..<count)` on `count` threads of their own (the store blocks) and rethrows
    /// the first error.
    static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        let errors = Collected<String>()
        let group = DispatchGroup()
        for i in 0..<count {
            group.enter()
            let thread = Thread {
                do { try body(i) } catch { errors.append("\(error)") }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        if let first = errors.values.first {
            printError("store-bench: \(first)")
            throw ExitCode(1)
        }
    }
}

/// Values appended from many threads.
private final class Collected<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Value] = []
    func append(_ value: Value) { lock.withLock { items.append(value) } }
    var values: [Value] { lock.withLock { items } }
}
