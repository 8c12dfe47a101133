import Foundation
import SSCLEngine
import SSCLStore

/// Stopping workers from outside their step: a step can run far longer than expected (a huge
/// batch, a stuck BLAS call), and the worker checks `max_seconds` and stop requests only
/// between steps. The scheduler asks with SIGTERM (the worker checkpoints after its step) and
/// kills with SIGKILL when the grace period runs out. Runs on the scheduler's queue.
extension JobScheduler {
    /// Asks the worker to stop for `reason` and arms the SIGKILL. The first reason wins, except
    /// that a cancel during a shutdown still ends the job `cancelled`.
    func requestStop(_ job: RunningJob, _ reason: StopReason) {
        let grace = configuration.stopGracePeriod
        guard !job.fenced else { return }
        switch (job.stopReason, reason) {
        case (nil, _):
            break
        case (.shutdown?, .cancel):
            job.stopReason = .cancel
            job.pendingLogs.append("cancel requested while the server shuts down: the job ends cancelled")
            return
        default:
            return
        }
        job.stopReason = reason
        let why = switch reason {
        case .cancel: "cancel requested"
        case .timeLimit: "max_seconds (\(Self.seconds(job.maxSeconds ?? 0))) reached"
        case .shutdown: "the server is shutting down"
        case .prune: "ASHA pruned this configuration at a rung"
        }
        job.pendingLogs.append("\(why): asked the worker to stop after its current step (SIGTERM); " +
                               "it is killed if it has not stopped within \(Self.seconds(grace))")
        logger.info("stopping worker", metadata: ["job": "\(job.id)", "reason": "\(reason)"])
        job.worker.terminate()
        job.killAt = RunningJob.now(plus: grace)
        flush(job, force: true)
    }

    /// The timer's check: time limits that ran out, and grace periods that ran out.
    func enforceStops() {
        let now = ContinuousClock.now
        for job in running.values where !job.fenced {
            if job.stopReason == nil, let deadline = job.deadline, now >= deadline {
                requestStop(job, .timeLimit)
            }
            if !job.killed, let killAt = job.killAt, now >= killAt {
                job.killed = true
                job.pendingLogs.append("the worker did not stop within \(Self.seconds(configuration.stopGracePeriod)) " +
                                       "of SIGTERM: killed (SIGKILL); its current step is lost, its last checkpoint is kept")
                logger.warning("worker killed after the grace period", metadata: ["job": "\(job.id)"])
                job.worker.kill()
                flush(job, force: true)
            }
        }
    }

    /// Ends a job stopped at its `max_seconds`: failed with `time_limit`, however the worker ended.
    func finishAtTimeLimit(_ job: RunningJob) throws {
        let limit = Self.seconds(job.maxSeconds ?? 0)
        let code = TrainingFailure.Code.timeLimit.rawValue
        let message: String
        if let error = job.error, error.code == code {
            message = error.message
        } else if job.killed {
            message = "the run exceeded its time limit of \(limit) (max_seconds) inside a step; the server killed " +
                      "its worker after \(Self.seconds(configuration.stopGracePeriod)); its last checkpoint was kept"
        } else {
            message = "the run exceeded its time limit of \(limit) (max_seconds); the server stopped its worker " +
                      "after its current step; its checkpoint was kept"
        }
        _ = try store.finish(id: job.id, status: .failed, errorCode: code, errorMessage: message, lease: job.lease)
        logger.info("job failed", metadata: ["job": "\(job.id)", "code": "\(code)"])
    }

    /// `5 s`, `0.5 s`.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value)) s" : "\(value) s"
    }
}
