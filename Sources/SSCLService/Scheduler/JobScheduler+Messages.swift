import Foundation
import SSCLEngine
import SSCLStore

/// What workers report, turned into store writes. Runs on the scheduler's queue.
extension JobScheduler {
    func handle(_ event: TrainingEvent, from id: String) {
        guard let job = running[id], !job.fenced else { return }
        job.pendingPoints += event.metricPoints
        switch event.kind {
        case let .started(start):
            job.pendingLogs.append("worker \(start.pid) started\(start.resumed ? ", resuming from the checkpoint" : ""): "
                                   + "\(start.totalSteps) steps")
            // The epochs the worker fitted to the data (`min_steps` may add some): the rungs follow them.
            if start.stepsPerEpoch > 0, let tracker = job.rungs {
                tracker.rungEpochs = tracker.asha.rungs(epochs: start.totalSteps / start.stepsPerEpoch)
            }
        case let .step(report):
            job.rungs?.lastLoss = report.loss
            job.latestProgress = JobProgress(report)
            job.workerElapsed(report.elapsedSeconds)
            setThroughput(id, report.imagesPerSecond.isFinite ? report.imagesPerSecond : nil)
        case let .evaluation(report):
            flush(job, force: true)
            reportRungs(job, report)
        case let .checkpoint(position):
            job.pendingLogs.append("checkpoint written: \(position.epoch) epoch(s), step \(position.step)")
        case let .log(line):
            job.pendingLogs.append(line)
        case let .result(result):
            job.result = result
        case let .stopped(position):
            job.pendingLogs.append("stopped at epoch \(position.epoch + 1), step \(position.step); checkpoint kept")
        case let .error(failure):
            job.error = (failure.code.rawValue, failure.message)
            job.pendingLogs.append("error \(failure.code.rawValue): \(failure.message)")
        case let .diagnostics(report):
            if let histogram = report.histogram { record(histogram, of: job) }
        }
        flush(job, force: false)
    }

    /// Writes buffered points, logs and progress: at most twice a second, or now when forced.
    /// Every write names the job's lease: a node that lost it writes nothing (`leaseLost`).
    func flush(_ job: RunningJob, force: Bool) {
        guard !job.fenced, force || Date().timeIntervalSince(job.lastFlush) >= 0.5 else { return }
        job.lastFlush = Date()
        do {
            if !job.pendingPoints.isEmpty {
                try store.appendMetrics(jobID: job.id, points: job.pendingPoints, lease: job.lease)
                job.pendingPoints.removeAll(keepingCapacity: true)
            }
            if !job.pendingLogs.isEmpty {
                _ = try store.appendLog(jobID: job.id, lines: job.pendingLogs, lease: job.lease)
                job.pendingLogs.removeAll(keepingCapacity: true)
            }
            if let progress = job.latestProgress {
                try store.updateProgress(id: job.id, progressJSON: progress.json, lease: job.lease)
                job.latestProgress = nil
            }
        } catch StoreError.leaseLost {
            leaseLost(job)
        } catch {
            logger.error("cannot record worker output", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    func flushAll(force: Bool) {
        for job in running.values { flush(job, force: force) }
    }

    /// Ends the attempt: success, a requested stop, a reported failure, or a crash (restart
    /// from the checkpoint while `max_restarts` allows).
    func workerExited(_ id: String, _ exit: WorkerExit) {
        guard let job = running.removeValue(forKey: id) else { return }
        setThroughput(id, nil)
        flush(job, force: true)
        let lease = job.lease
        do {
            if job.fenced {
                // Its lease was lost: the job belongs to another node now.
                logger.info("worker of a lost lease ended; nothing recorded", metadata: ["job": "\(id)", "exit": "\(exit)"])
            } else if let result = job.result, exit == .exited(WorkerExit.successCode) {
                _ = try store.finish(id: id, status: .succeeded, resultJSON: result.json(), lease: lease)
                logger.info("job succeeded", metadata: ["job": "\(id)"])
            } else if job.stopReason == .prune {
                _ = try store.finish(id: id, status: .pruned, lease: lease)
                logger.info("job pruned", metadata: ["job": "\(id)"])
            } else if job.stopReason == .cancel {
                _ = try store.finish(id: id, status: .cancelled, lease: lease)
                logger.info("job cancelled", metadata: ["job": "\(id)"])
            } else if job.stopReason == .timeLimit {
                try finishAtTimeLimit(job)
            } else if job.stopReason == .shutdown {
                _ = try store.requeue(id: id, resumeFromCheckpoint: true, countsAsRestart: false, lease: lease)
                logger.info("job left to resume at the next start", metadata: ["job": "\(id)"])
            } else if let error = job.error {
                _ = try store.finish(id: id, status: .failed, errorCode: error.code, errorMessage: error.message, lease: lease)
                logger.info("job failed", metadata: ["job": "\(id)", "code": "\(error.code)"])
            } else {
                try handleCrash(id, exit, lease: lease)
            }
        } catch StoreError.leaseLost {
            logger.error("lease lost before the end of the job was recorded; another node runs it", metadata: ["job": "\(id)"])
        } catch {
            logger.error("cannot record the end of a job", metadata: ["job": "\(id)", "error": "\(error)"])
        }
        // Its end may complete a rung of its sweep (a trial that failed before reaching it).
        if let sweepID = job.rungs?.sweepID { settleSweep(sweepID) }
        // Next turn of the queue: `job`, which holds the folder's lock with the worker, is gone
        // by then, so a claim here does not find the folder held by this very job.
        queue.async { [weak self] in self?.fillSlots() }
    }

    private func handleCrash(_ id: String, _ exit: WorkerExit, lease: JobLease) throws {
        guard let record = try store.job(id: id) else { return }
        let reason = "the worker ended unexpectedly (\(exit))"
        if record.restartsUsed < record.maxRestarts {
            _ = try store.appendLog(jobID: id, lines: [
                "\(reason); restarting from the last checkpoint (restart \(record.restartsUsed + 1) of \(record.maxRestarts))",
            ], lease: lease)
            _ = try store.requeue(id: id, resumeFromCheckpoint: true, countsAsRestart: true, lease: lease)
            logger.warning("worker died; job re-queued", metadata: ["job": "\(id)", "exit": "\(exit)"])
        } else {
            _ = try store.finish(id: id, status: .failed, errorCode: "worker_crashed",
                                 errorMessage: "\(reason) after \(record.restartsUsed) restart(s)", lease: lease)
            logger.warning("worker died; restart limit reached", metadata: ["job": "\(id)", "exit": "\(exit)"])
        }
    }
}
