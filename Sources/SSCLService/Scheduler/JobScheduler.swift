import Foundation
import Logging
import SSCLEngine
import SSCLStore

/// Runs queued jobs in worker processes, at most `maxConcurrentJobs` at a time, in the order
/// priority (high first) then submission time, and records what the workers report.
///
/// All decisions happen on one serial dispatch queue (never Swift's cooperative pool); the
/// store is the only state that outlives the process. A worker that dies unexpectedly ends its
/// attempt with the reason and the job restarts from its checkpoint, up to `max_restarts`.
public final class JobScheduler: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// The `sscl` executable that provides the `worker` subcommand.
        public var executable: URL
        /// One folder per job (`<runs>/<job id>/`): job.json, checkpoint.bin, model.safetensors, ...
        public var runsDirectory: URL
        /// Relative dataset paths resolve against it.
        public var dataDirectory: URL?
        public var maxConcurrentJobs: Int = 1
        /// Seconds a worker gets to finish its step and checkpoint after SIGTERM (cancel,
        /// `max_seconds`, shutdown) before SIGKILL.
        public var stopGracePeriod: Double = 5

        public init(executable: URL, runsDirectory: URL, dataDirectory: URL?, maxConcurrentJobs: Int = 1) {
            self.executable = executable
            self.runsDirectory = runsDirectory
            self.dataDirectory = dataDirectory
            self.maxConcurrentJobs = maxConcurrentJobs
        }
    }

    /// The lock file in the runs folder: one server per runs folder.
    public static let lockFileName = ".sscl-server.lock"
    /// The lock file in a job folder, held by the job's worker (it inherits the lock): a worker
    /// that outlived a killed server keeps the next server from starting a second one there.
    public static let workerLockFileName = ".worker.lock"

    /// Why a worker was asked to stop.
    enum StopReason { case cancel, timeLimit, shutdown, prune }

    /// A job whose worker is alive.
    final class RunningJob {
        let id: String
        let worker: WorkerProcess
        /// The job folder's lock, shared with the worker; released when both are done with it.
        let folderLock: InstanceLock
        var stopReason: StopReason?
        /// The job's `max_seconds` (run time over all attempts, as the trainer counts it).
        let maxSeconds: Double?
        /// When `max_seconds` runs out: from the launch until the worker reports its own
        /// elapsed time (which includes earlier attempts), then from that.
        var deadline: ContinuousClock.Instant?
        /// When a worker asked to stop gets SIGKILL.
        var killAt: ContinuousClock.Instant?
        var killed = false
        var result: TrainingResult?
        var error: (code: String, message: String)?
        var pendingPoints: [MetricPoint] = []
        var pendingLogs: [String] = []
        var lastFlush = Date()
        var lastProgress = Date.distantPast
        var latestProgress: JobProgress?
        /// Set for a trial of a sweep with early stopping.
        var rungs: RungTracker?

        init(id: String, worker: WorkerProcess, folderLock: InstanceLock, maxSeconds: Double?) {
            self.id = id
            self.worker = worker
            self.folderLock = folderLock
            self.maxSeconds = maxSeconds
            deadline = maxSeconds.map { Self.now(plus: $0) }
        }

        /// The worker says its run has lasted `seconds` (earlier attempts included).
        func workerElapsed(_ seconds: Double) {
            guard let maxSeconds, seconds.isFinite else { return }
            deadline = Self.now(plus: maxSeconds - seconds)
        }

        /// Now plus `seconds`, clamped to 0...10⁹ s (`max_seconds` has no upper bound, and
        /// `Duration` traps on overflow).
        static func now(plus seconds: Double) -> ContinuousClock.Instant {
            .now + .seconds(seconds.isFinite ? min(max(seconds, 0), 1e9) : 1e9)
        }
    }

    public let configuration: Configuration
    let store: JobStore
    let logger: Logger
    let queue = DispatchQueue(label: "sscl.scheduler")
    var running: [String: RunningJob] = [:]
    var accepting = true
    /// Queued jobs whose folder is still held by an earlier worker, said once in their log;
    /// the timer tries them again.
    var waitingForFolder: Set<String> = []
    /// Called once when the last worker has ended after `shutdown` stopped accepting.
    var onDrained: (() -> Void)?
    /// Each sweep's stopping rule (nil: no early stopping), read once.
    var sweepRules: [String: (asha: ASHA, metric: MetricName)?] = [:]
    /// Training images/s of each running job, for `/metrics`.
    private let throughputLock = NSLock()
    private var throughput: [String: Double] = [:]
    /// Every 0.25 s: time limits and grace periods, then buffered worker output.
    private var tickTimer: DispatchSourceTimer?

    public init(configuration: Configuration, store: JobStore, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
    }

    /// Reconciles the job folders with the database (a job whose result file exists is never
    /// run again), re-queues jobs left `running` by a previous process (they resume from their
    /// checkpoints) and starts whatever the queue allows.
    public func start() throws {
        try FileManager.default.createDirectory(at: configuration.runsDirectory, withIntermediateDirectories: true)
        try reconcileFolders()
        for job in try store.recoverInterruptedJobs() {
            logger.notice("job re-queued after a restart of the server", metadata: ["job": "\(job.id)"])
        }
        queue.sync { settleRunningSweeps() }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + 0.25, repeating: 0.25)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            enforceStops()
            flushAll(force: false)
            if !waitingForFolder.isEmpty { fillSlots() }
        }
        timer.resume()
        tickTimer = timer
        poke()
    }

    /// Looks at the queue again (after a submission, a retry or a finished job).
    public func poke() {
        queue.async { self.fillSlots() }
    }

    /// The job's folder.
    public func directory(of id: String) -> URL {
        configuration.runsDirectory.appendingPathComponent(id, isDirectory: true)
    }

    /// Sum of the running jobs' latest images/s.
    public var trainingImagesPerSecond: Double {
        throughputLock.lock(); defer { throughputLock.unlock() }
        return throughput.values.reduce(0, +)
    }

    func setThroughput(_ id: String, _ value: Double?) {
        throughputLock.lock(); defer { throughputLock.unlock() }
        throughput[id] = value
    }

    /// Number of jobs with a live worker.
    public var runningCount: Int { queue.sync { running.count } }

    /// Starts queued jobs while slots are free. Runs on `queue`.
    func fillSlots() {
        guard accepting else {
            if running.isEmpty, let onDrained {
                self.onDrained = nil
                onDrained()
            }
            return
        }
        var busy: Set<String> = []
        while running.count < configuration.maxConcurrentJobs {
            let next: JobRecord?
            do {
                // A sweep's trials wait while `max_concurrent` of them run (its other queued jobs do not).
                let sweeps = try store.runningTrialsBySweep()
                next = try store.queuedJobs().first { job in
                    guard running[job.id] == nil, !busy.contains(job.id) else { return false }
                    guard let sweep = job.sweepID.flatMap({ sweeps[$0] }) else { return true }
                    return sweep.running < sweep.limit
                }
            } catch {
                logger.error("cannot read the queue: \(error)")
                return
            }
            guard let job = next else { return }
            if !launch(job) { busy.insert(job.id) }
        }
    }

    /// Starts the job's worker, or ends the job if that fails or its folder shows it had
    /// finished. False, leaving it queued, while a worker of an earlier server still holds
    /// its folder.
    private func launch(_ job: JobRecord) -> Bool {
        let dir = directory(of: job.id)
        let jobFile = dir.appendingPathComponent("job.json")
        let checkpoint = dir.appendingPathComponent("checkpoint.bin")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let lockPath = dir.appendingPathComponent(Self.workerLockFileName).path
            let folderLock: InstanceLock
            do {
                folderLock = try InstanceLock(path: lockPath, guarding: "the job folder \(dir.path)")
            } catch let held as InstanceLock.HeldError {
                if waitingForFolder.insert(job.id).inserted {
                    let pid = held.holderPID.map { " (pid \($0))" } ?? ""
                    logger.warning("a worker of an earlier server still runs this job; it starts when that one has ended",
                                   metadata: ["job": "\(job.id)", "holder": "\(held.holderPID.map(String.init) ?? "?")"])
                    _ = try store.appendLog(jobID: job.id, lines: [
                        "a worker of an earlier server\(pid) still runs in this job's folder; the job starts when it has ended",
                    ])
                }
                return false
            }
            waitingForFolder.remove(job.id)
            if finishFromResultFile(job.id, was: job.status) { return true }
            try Data(job.resolvedJSON.utf8).write(to: jobFile, options: .atomic)
            let resume = job.resumeFromCheckpoint && FileManager.default.fileExists(atPath: checkpoint.path)
            if !job.resumeFromCheckpoint { try? FileManager.default.removeItem(at: checkpoint) }
            let spec = try? JobSpec.parse(json: Data(job.resolvedJSON.utf8))
            let tracker = rungTracker(for: job, spec: spec)
            var earlierEvaluations: [EvaluationReport] = []
            if resume {
                let points = MetricsBackfill.points(fromFileAt: dir.appendingPathComponent("metrics.jsonl"))
                if !points.isEmpty { try store.appendMetrics(jobID: job.id, points: points) }
                if tracker != nil { earlierEvaluations = MetricsBackfill.evaluations(fromFileAt: dir.appendingPathComponent("metrics.jsonl")) }
            }
            let started = try store.markStarted(id: job.id)
            var workerLogger = logger
            workerLogger[metadataKey: "job"] = "\(job.id)"
            let id = job.id
            let worker = try WorkerProcess(
                executable: configuration.executable, jobFile: jobFile, directory: dir, resume: resume,
                dataDirectory: configuration.dataDirectory, sharedLock: folderLock.fileDescriptor, logger: workerLogger,
                onMessage: { [weak self] message in
                    guard let self else { return }
                    self.queue.async { self.handle(message, from: id) }
                },
                onExit: { [weak self] exit in
                    guard let self else { return }
                    self.queue.async { self.workerExited(id, exit) }
                })
            folderLock.recordHolder(worker.pid)
            let live = RunningJob(id: id, worker: worker, folderLock: folderLock, maxSeconds: spec?.maxSeconds)
            live.rungs = tracker
            running[id] = live
            // Rungs the earlier attempt reached while no server listened (its metrics.jsonl).
            for report in earlierEvaluations { reportRungs(live, report) }
            logger.info("job started", metadata: [
                "job": "\(id)", "attempt": "\(started.attempt)", "resume": "\(resume)", "pid": "\(worker.pid)",
            ])
        } catch {
            logger.error("cannot start job", metadata: ["job": "\(job.id)", "error": "\(error)"])
            _ = try? store.finish(id: job.id, status: .failed, errorCode: "worker_start_failed",
                                  errorMessage: "the worker could not be started: \(error)")
        }
        return true
    }
}
