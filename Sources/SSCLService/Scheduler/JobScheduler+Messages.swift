import Foundation
import SSCLStore

/// What workers report, turned into store writes. Runs on the scheduler's queue.
extension JobScheduler {
    func handle(_ message: WorkerMessage, from id: String) {
        guard let job = running[id] else { return }
        let now = Date()
        switch message {
        case let .started(pid, totalSteps, _, resumed):
            job.pendingLogs.append("worker \(pid) started\(resumed ? ", resuming from the checkpoint" : ""): \(totalSteps) steps")
        case let .step(epoch, epochs, step, steps, loss, lr, imagesPerSecond, elapsed):
            job.pendingPoints.append(MetricPoint(name: "loss", step: step, value: loss, time: now))
            job.pendingPoints.append(MetricPoint(name: "lr", step: step, value: lr, time: now))
            job.pendingPoints.append(MetricPoint(name: "images_per_s", step: step, value: imagesPerSecond, time: now))
            let eta = step > 0 ? elapsed / Double(step) * Double(max(0, steps - step)) : nil
            let progress: [String: Any] = [
                "epoch": epoch, "epochs": epochs, "step": step, "steps": steps,
                "images_per_s": imagesPerSecond.isFinite ? imagesPerSecond as Any : NSNull(),
                "eta_s": eta.flatMap { $0.isFinite ? $0 as Any : nil } ?? NSNull(),
            ]
            job.latestProgress = Self.json(progress)
            job.workerElapsed(elapsed)
            setThroughput(id, imagesPerSecond.isFinite ? imagesPerSecond : nil)
        case let .evaluation(_, step, knn, linear, alignment, uniformity):
            job.pendingPoints.append(MetricPoint(name: "knn_accuracy", step: step, value: knn, time: now))
            if let linear { job.pendingPoints.append(MetricPoint(name: "linear_accuracy", step: step, value: linear, time: now)) }
            job.pendingPoints.append(MetricPoint(name: "alignment", step: step, value: alignment, time: now))
            job.pendingPoints.append(MetricPoint(name: "uniformity", step: step, value: uniformity, time: now))
            flush(job, force: true)
        case let .checkpoint(epoch, step):
            job.pendingLogs.append("checkpoint written: \(epoch) epoch(s), step \(step)")
        case let .log(line):
            job.pendingLogs.append(line)
        case let .result(json):
            job.result = json
        case let .stopped(epoch, step):
            job.pendingLogs.append("stopped at epoch \(epoch + 1), step \(step); checkpoint kept")
        case let .error(code, message):
            job.error = (code, message)
            job.pendingLogs.append("error \(code): \(message)")
        }
        flush(job, force: false)
    }

    /// Writes buffered points, logs and progress: at most twice a second, or now when forced.
    func flush(_ job: RunningJob, force: Bool) {
        guard force || Date().timeIntervalSince(job.lastFlush) >= 0.5 else { return }
        job.lastFlush = Date()
        do {
            if !job.pendingPoints.isEmpty {
                try store.appendMetrics(jobID: job.id, points: job.pendingPoints)
                job.pendingPoints.removeAll(keepingCapacity: true)
            }
            if !job.pendingLogs.isEmpty {
                _ = try store.appendLog(jobID: job.id, lines: job.pendingLogs)
                job.pendingLogs.removeAll(keepingCapacity: true)
            }
            if let progress = job.latestProgress {
                try store.updateProgress(id: job.id, progressJSON: progress)
                job.latestProgress = nil
            }
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
        do {
            if let result = job.result, exit == .exited(WorkerExit.successCode) {
                _ = try store.finish(id: id, status: .succeeded, resultJSON: String(decoding: result, as: UTF8.self))
                logger.info("job succeeded", metadata: ["job": "\(id)"])
            } else if job.stopReason == .cancel {
                _ = try store.finish(id: id, status: .cancelled)
                logger.info("job cancelled", metadata: ["job": "\(id)"])
            } else if job.stopReason == .timeLimit {
                try finishAtTimeLimit(job)
            } else if job.stopReason == .shutdown {
                _ = try store.requeue(id: id, resumeFromCheckpoint: true, countsAsRestart: false)
                logger.info("job left to resume at the next start", metadata: ["job": "\(id)"])
            } else if let error = job.error {
                _ = try store.finish(id: id, status: .failed, errorCode: error.code, errorMessage: error.message)
                logger.info("job failed", metadata: ["job": "\(id)", "code": "\(error.code)"])
            } else {
                try handleCrash(id, exit)
            }
        } catch {
            logger.error("cannot record the end of a job", metadata: ["job": "\(id)", "error": "\(error)"])
        }
        fillSlots()
    }

    private func handleCrash(_ id: String, _ exit: WorkerExit) throws {
        guard let record = try store.job(id: id) else { return }
        let reason = "the worker ended unexpectedly (\(exit))"
        if record.restartsUsed < record.maxRestarts {
            _ = try store.appendLog(jobID: id, lines: [
                "\(reason); restarting from the last checkpoint (restart \(record.restartsUsed + 1) of \(record.maxRestarts))",
            ])
            _ = try store.requeue(id: id, resumeFromCheckpoint: true, countsAsRestart: true)
            logger.warning("worker died; job re-queued", metadata: ["job": "\(id)", "exit": "\(exit)"])
        } else {
            _ = try store.finish(id: id, status: .failed, errorCode: "worker_crashed",
                                 errorMessage: "\(reason) after \(record.restartsUsed) restart(s)")
            logger.warning("worker died; restart limit reached", metadata: ["job": "\(id)", "exit": "\(exit)"])
        }
    }

    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
