import Foundation
import SSCLStore

/// What users ask of jobs: cancel, retry, delete; and the server's own shutdown.
extension JobScheduler {
    public enum ControlError: Error, Equatable {
        case notFound
        /// The transition is not allowed from the job's status.
        case illegalTransition(status: JobStatus, action: String)
    }

    /// Answers at once, never waiting for a worker: a queued job is `cancelled` now; a running
    /// one comes back `running` with `cancel_requested`, its worker is asked to stop after its
    /// current step (SIGTERM, SIGKILL after the grace period) and the scheduler makes it
    /// `cancelled` when the worker has ended. Asking again while it stops changes nothing.
    public func cancel(id: String) throws -> JobRecord {
        try queue.sync {
            guard let job = try store.job(id: id) else { throw ControlError.notFound }
            switch job.status {
            case .queued:
                return try store.finish(id: id, status: .cancelled)
            case .running:
                if let live = running[id] { requestStop(live, .cancel) }
                return job.cancelRequested ? job : try store.setCancelRequested(id: id)
            default:
                throw ControlError.illegalTransition(status: job.status, action: "cancel")
            }
        }
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

    /// Stops starting jobs, asks every worker to checkpoint and stop, and waits for them (the
    /// scheduler kills stragglers after the grace period). Their jobs stay queued with
    /// `resume_from_checkpoint`, to continue at the next start; jobs being cancelled or stopped
    /// at their time limit end as such.
    public func shutdown() {
        let drained = DispatchSemaphore(value: 0)
        let waiting: Bool = queue.sync {
            accepting = false
            for job in running.values { requestStop(job, .shutdown) }
            guard !running.isEmpty else { return false }
            onDrained = { drained.signal() }
            return true
        }
        if waiting && drained.wait(timeout: .now() + configuration.stopGracePeriod + 5) == .timedOut {
            // The timer's SIGKILL should have ended them; make sure, and give the reaper a moment.
            queue.sync { for job in running.values { job.worker.kill() } }
            _ = drained.wait(timeout: .now() + 5)
        }
        queue.sync {
            onDrained = nil
            flushAll(force: true)
        }
    }
}
