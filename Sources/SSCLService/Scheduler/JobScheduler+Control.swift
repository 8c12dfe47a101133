import Foundation
import SSCLStore

/// What users ask of jobs: cancel, retry, delete; and the server's own shutdown.
extension JobScheduler {
    public enum ControlError: Error, Equatable {
        case notFound
        /// The transition is not allowed from the job's status.
        case illegalTransition(status: JobStatus, action: String)
    }

    /// queued → cancelled at once; running → asks the worker to stop (it checkpoints after
    /// its current step) and waits up to `wait` seconds for it, so the answer is usually final.
    public func cancel(id: String, wait: Double = 5) throws -> JobRecord {
        let job: JobRecord = try queue.sync {
            guard let job = try store.job(id: id) else { throw ControlError.notFound }
            switch job.status {
            case .queued:
                return try store.finish(id: id, status: .cancelled)
            case .running:
                try store.setCancelRequested(id: id)
                if let live = running[id] {
                    live.stopReason = .cancel
                    live.worker.stop(grace: configuration.stopGracePeriod)
                }
                return job
            default:
                throw ControlError.illegalTransition(status: job.status, action: "cancel")
            }
        }
        guard job.status == .running else { return job }
        let deadline = Date().addingTimeInterval(wait)
        while Date() < deadline {
            if let now = try store.job(id: id), now.status != .running { return now }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return try store.job(id: id) ?? job
    }

    /// failed | cancelled → queued; resumes from the last checkpoint unless `fresh`.
    public func retry(id: String, fresh: Bool) throws -> JobRecord {
        let job: JobRecord = try queue.sync {
            guard let job = try store.job(id: id) else { throw ControlError.notFound }
            guard job.status == .failed || job.status == .cancelled else {
                throw ControlError.illegalTransition(status: job.status, action: "retry")
            }
            let checkpoint = directory(of: id).appendingPathComponent("checkpoint.bin")
            if fresh { try? FileManager.default.removeItem(at: checkpoint) }
            let resume = !fresh && FileManager.default.fileExists(atPath: checkpoint.path)
            return try store.requeue(id: id, resumeFromCheckpoint: resume, countsAsRestart: false)
        }
        poke()
        return job
    }

    /// Removes a finished job, its records and its files.
    public func delete(id: String) throws {
        try queue.sync {
            guard let job = try store.job(id: id) else { throw ControlError.notFound }
            guard job.status.isFinished, running[id] == nil else {
                throw ControlError.illegalTransition(status: job.status, action: "delete")
            }
            _ = try store.deleteJob(id: id)
            try? FileManager.default.removeItem(at: directory(of: id))
        }
    }

    /// Stops starting jobs, asks every worker to checkpoint and stop, and waits for them
    /// (killing stragglers after the grace period). Their jobs stay queued with
    /// `resume_from_checkpoint`, to continue at the next start.
    public func shutdown() {
        let workers: [WorkerProcess] = queue.sync {
            accepting = false
            for job in running.values {
                job.stopReason = .shutdown
                job.worker.stop(grace: configuration.stopGracePeriod)
            }
            return running.values.map(\.worker)
        }
        let deadline = Date().addingTimeInterval(configuration.stopGracePeriod + 5)
        while Date() < deadline && queue.sync(execute: { !running.isEmpty }) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        for w in workers where !w.hasExited { w.kill() }
        queue.sync { flushAll(force: true) }
    }
}
