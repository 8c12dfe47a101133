import Foundation
import SSCLStore

/// The node's side of leases (the store keeps them): renew the leases of its running jobs, stop
/// a job at once when its lease is lost, pass on cancels asked on other nodes, and, on a shared
/// store, take back the jobs of silent nodes and look for jobs submitted elsewhere. Runs on the
/// scheduler's queue, from the 0.25 s timer.
extension JobScheduler {
    /// The timer's lease work, each at its own pace.
    func leaseChores() {
        let now = ContinuousClock.now
        let lease = configuration.leaseSeconds
        if now - lastHeartbeat >= .seconds(lease / 5) {
            lastHeartbeat = now
            heartbeat()
        }
        guard store.isShared else { return }
        if now - lastExpiryCheck >= .seconds(max(0.5, lease / 3)) {
            lastExpiryCheck = now
            do {
                if !(try store.requeueExpiredLeases()).isEmpty { fillSlots() }
            } catch {
                logger.error("cannot re-queue expired leases", metadata: ["error": "\(error)"])
            }
        }
        // Other replicas take submissions; this node finds them by polling the queue.
        if running.count < configuration.maxConcurrentJobs && now - lastQueuePoll >= .seconds(1) {
            lastQueuePoll = now
            fillSlots()
        }
    }

    /// Renews the leases of the running jobs; a lost lease stops its job at once, and a cancel
    /// asked on any node stops the worker as a cancel here does.
    func heartbeat() {
        let leases = running.values.filter { !$0.fenced }.map(\.lease)
        guard !leases.isEmpty else { return }
        let renewal: LeaseRenewal
        do {
            renewal = try store.renewLeases(leases, leaseSeconds: configuration.leaseSeconds)
        } catch {
            // The database is out of reach: the leases run on; workers stop if they expire and
            // another node takes the jobs (the next renewal says so).
            logger.error("cannot renew leases", metadata: ["error": "\(error)", "jobs": "\(leases.count)"])
            return
        }
        for lease in renewal.renewed {
            if let job = running[lease.jobID], job.lease.generation == lease.generation { job.lease = lease }
        }
        for lease in renewal.lost {
            if let job = running[lease.jobID] { leaseLost(job) }
        }
        for id in renewal.cancelRequested {
            if let job = running[id], !job.fenced { requestStop(job, .cancel) }
        }
        if store.isShared { stopTrialsPrunedElsewhere() }
    }

    /// A trial's configuration may be pruned by a rung another node's trial reached: its
    /// worker stops as a local prune's does, without waiting for its own next rung.
    func stopTrialsPrunedElsewhere() {
        let trials = running.values.filter { !$0.fenced && $0.stopReason == nil && $0.rungs != nil }
        for (sweepID, jobs) in Dictionary(grouping: trials, by: { $0.rungs?.sweepID ?? "" }) {
            guard let decisions = try? store.decisions(sweepID: sweepID) else { continue }
            let pruned = Set(decisions.filter { $0.decision == "prune" }.map(\.configuration))
            for job in jobs where pruned.contains(job.rungs?.configuration ?? -1) {
                requestStop(job, .prune)
            }
        }
    }

    /// Another node may run the job now: kill its worker at once (SIGKILL, no checkpoint: the
    /// folder may be about to be used by that node), drop what it reported and not written, and
    /// write nothing more for it.
    func leaseLost(_ job: RunningJob) {
        guard !job.fenced else { return }
        job.fenced = true
        let dropped = (points: job.pendingPoints.count, logs: job.pendingLogs.count)
        job.pendingPoints.removeAll()
        job.pendingLogs.removeAll()
        job.latestProgress = nil
        job.killed = true
        job.worker.kill()
        setThroughput(job.id, nil)
        logger.error("lease lost: the job may run on another node now; killed its worker and dropped its unwritten output",
                     metadata: [
                         "job": "\(job.id)", "generation": "\(job.lease.generation)", "pid": "\(job.worker.pid)",
                         "dropped_points": "\(dropped.points)", "dropped_log_lines": "\(dropped.logs)",
                     ])
    }
}
