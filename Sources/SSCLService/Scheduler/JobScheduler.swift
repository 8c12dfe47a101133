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
        /// Seconds a claimed job's lease lasts unless renewed; the node renews its leases every
        /// fifth of it. A node silent for longer loses its jobs to the other nodes.
        public var leaseSeconds: Double = 15
        /// This node's name in leases: `hostname:pid:random`, new at every start.
        public var nodeID: String = JobScheduler.makeNodeID()

        public init(executable: URL, runsDirectory: URL, dataDirectory: URL?, maxConcurrentJobs: Int = 1) {
            self.executable = executable
            self.runsDirectory = runsDirectory
            self.dataDirectory = dataDirectory
            self.maxConcurrentJobs = maxConcurrentJobs
        }
    }

    /// `hostname:pid:random`: unique among the nodes, and readable in the lease history.
    public static func makeNodeID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let suffix = String((0..<6).map { _ in alphabet.randomElement()! })
        return "\(ProcessInfo.processInfo.hostName):\(getpid()):\(suffix)"
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
        /// The lease this node runs the job under; every write for the job names it.
        var lease: JobLease
        /// The lease was lost: the worker was killed and nothing more is written for the job.
        var fenced = false
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

        init(id: String, worker: WorkerProcess, folderLock: InstanceLock, lease: JobLease, maxSeconds: Double?) {
            self.id = id
            self.worker = worker
            self.folderLock = folderLock
            self.lease = lease
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
    /// When the leases were last renewed, expired leases last looked for, the queue last polled.
    var lastHeartbeat = ContinuousClock.now
    var lastExpiryCheck = ContinuousClock.now
    var lastQueuePoll = ContinuousClock.now

    public init(configuration: Configuration, store: JobStore, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
    }

    /// Reconciles the job folders with the database (a job whose result file exists is never
    /// run again), re-queues jobs left `running` by a previous process (they resume from their
    /// checkpoints) and starts whatever the queue allows. On a shared store (PostgreSQL) the
    /// running jobs belong to other nodes: only those whose lease expired are re-queued, then
    /// and every few seconds, and the queue is polled for jobs submitted elsewhere.
    public func start() throws {
        try FileManager.default.createDirectory(at: configuration.runsDirectory, withIntermediateDirectories: true)
        try reconcileFolders()
        if store.isShared {
            _ = try store.requeueExpiredLeases()
        } else {
            for job in try store.recoverInterruptedJobs() {
                logger.notice("job re-queued after a restart of the server", metadata: ["job": "\(job.id)"])
            }
        }
        logger.info("scheduler started", metadata: [
            "node": "\(configuration.nodeID)", "max_concurrent_jobs": "\(configuration.maxConcurrentJobs)",
            "lease_seconds": "\(configuration.leaseSeconds)",
        ])
        queue.sync { settleRunningSweeps() }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + 0.25, repeating: 0.25)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            enforceStops()
            flushAll(force: false)
            leaseChores()
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

    /// Claims and starts queued jobs while slots are free. Runs on `queue`.
    func fillSlots() {
        guard accepting else {
            if running.isEmpty, let onDrained {
                self.onDrained = nil
                onDrained()
            }
            return
        }
        var heldNow: Set<String> = []
        while running.count < configuration.maxConcurrentJobs {
            // The job folder's lock is taken while the claim's transaction chooses: a queued job
            // whose folder a worker from elsewhere still holds (a killed server's, a node that
            // lost its lease) is skipped and stays queued, and the claim takes the next one.
            var folderLock: (id: String, lock: InstanceLock)?
            var held: [(JobRecord, InstanceLock.HeldError)] = []
            let claim: (JobRecord, JobLease)?
            do {
                claim = try store.claimNextJob(node: configuration.nodeID, leaseSeconds: configuration.leaseSeconds) { job, sweeps in
                    guard running[job.id] == nil else { return false }
                    // A sweep's trials wait while `max_concurrent` of them run (its other queued jobs do not).
                    if let sweep = job.sweepID.flatMap({ sweeps[$0] }), sweep.running >= sweep.limit { return false }
                    // Released first: a transaction run again (a lost race) may come back to the job it held.
                    folderLock = nil
                    do {
                        folderLock = (job.id, try lockFolder(of: job.id))
                    } catch let error as InstanceLock.HeldError {
                        held.append((job, error))
                        return false
                    } catch {
                        // launch fails the job, saying why
                    }
                    return true
                }
            } catch {
                logger.error("cannot claim a job: \(error)")
                return
            }
            reportHeldFolders(held)
            heldNow.formUnion(held.map(\.0.id))
            guard let (job, lease) = claim else {
                // The whole queue was seen: forget the waits that are over (the job ended or
                // another node runs it), so the timer stops retrying for them.
                waitingForFolder.formIntersection(heldNow)
                return
            }
            launch(job, lease: lease, folderLock: folderLock?.id == job.id ? folderLock?.lock : nil)
        }
    }

    /// The job folder's lock (the folder is created if needed).
    private func lockFolder(of id: String) throws -> InstanceLock {
        let dir = directory(of: id)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try InstanceLock(path: dir.appendingPathComponent(Self.workerLockFileName).path,
                                guarding: "the job folder \(dir.path)")
    }

    /// Says once per job, in its log, that it waits for a worker from elsewhere to end.
    private func reportHeldFolders(_ held: [(JobRecord, InstanceLock.HeldError)]) {
        for (job, error) in held where waitingForFolder.insert(job.id).inserted {
            let pid = error.holderPID.map { " (pid \($0))" } ?? ""
            logger.warning("a worker from elsewhere still runs this job; it starts when that one has ended",
                           metadata: ["job": "\(job.id)", "holder": "\(error.holderPID.map(String.init) ?? "?")"])
            _ = try? store.appendLog(jobID: job.id, lines: [
                "a worker of an earlier server\(pid) still runs in this job's folder; the job starts when it has ended",
            ])
        }
    }

    /// Starts the worker of a job this node has just claimed, or ends the job if that fails or
    /// its folder shows it had finished.
    private func launch(_ job: JobRecord, lease: JobLease, folderLock: InstanceLock?) {
        let dir = directory(of: job.id)
        let jobFile = dir.appendingPathComponent("job.json")
        let checkpoint = dir.appendingPathComponent("checkpoint.bin")
        do {
            let folderLock = try folderLock ?? lockFolder(of: job.id)
            waitingForFolder.remove(job.id)
            if finishFromResultFile(job.id, was: .queued, lease: lease) { return }
            try Data(job.resolvedJSON.utf8).write(to: jobFile, options: .atomic)
            let resume = job.resumeFromCheckpoint && FileManager.default.fileExists(atPath: checkpoint.path)
            if !job.resumeFromCheckpoint { try? FileManager.default.removeItem(at: checkpoint) }
            if job.resumeFromCheckpoint && !resume {
                // Another node ran it, and this node does not see that node's folder (the runs
                // directory is not shared): the job starts again from scratch rather than fail.
                _ = try store.appendLog(jobID: job.id, lines: [
                    "no checkpoint in this node's job folder (\(dir.path)); starting from scratch " +
                    "(is the runs directory shared by every node?)",
                ], lease: lease)
                logger.warning("resuming job has no checkpoint here: starting from scratch", metadata: ["job": "\(job.id)"])
            }
            let spec = try? JobSpec.parse(json: Data(job.resolvedJSON.utf8))
            let tracker = rungTracker(for: job, spec: spec)
            var earlierEvaluations: [EvaluationReport] = []
            if resume {
                let points = MetricsBackfill.points(fromFileAt: dir.appendingPathComponent("metrics.jsonl"))
                if !points.isEmpty { try store.appendMetrics(jobID: job.id, points: points, lease: lease) }
                if tracker != nil { earlierEvaluations = MetricsBackfill.evaluations(fromFileAt: dir.appendingPathComponent("metrics.jsonl")) }
            }
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
            let live = RunningJob(id: id, worker: worker, folderLock: folderLock, lease: lease, maxSeconds: spec?.maxSeconds)
            live.rungs = tracker
            running[id] = live
            // Rungs the earlier attempt reached while no server listened (its metrics.jsonl).
            for report in earlierEvaluations { reportRungs(live, report) }
            logger.info("job started", metadata: [
                "job": "\(id)", "attempt": "\(job.attempt)", "resume": "\(resume)", "pid": "\(worker.pid)",
                "generation": "\(lease.generation)",
            ])
        } catch {
            logger.error("cannot start job", metadata: ["job": "\(job.id)", "error": "\(error)"])
            _ = try? store.finish(id: job.id, status: .failed, errorCode: "worker_start_failed",
                                  errorMessage: "the worker could not be started: \(error)", lease: lease)
        }
    }
}
