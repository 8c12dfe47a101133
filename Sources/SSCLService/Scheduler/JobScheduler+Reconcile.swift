import Foundation
import SSCLEngine
import SSCLStore

/// Start-up check of the job folders against the database. The two can disagree after a
/// crash that lost the database's last writes (a deleted `-wal` after a kill -9): a job the
/// database still has queued or running may have finished, and a folder may belong to a job
/// the database no longer has. The folders are the truth for what a worker finished.
extension JobScheduler {
    /// Marks queued or running jobs whose folder holds `result.json` succeeded with that result
    /// (they are never run again), and reports folders that belong to no job. Logs what it did.
    func reconcileFolders() throws {
        let fm = FileManager.default
        let entries = try fm.contentsOfDirectory(at: configuration.runsDirectory, includingPropertiesForKeys: [.isDirectoryKey],
                                                 options: [.skipsHiddenFiles])
        let folders = entries.filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
        guard !folders.isEmpty else { return }
        let statuses = try store.statusesByID()
        var orphans: [String] = []
        var finished: [String] = []
        for folder in folders.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            let id = folder.lastPathComponent
            guard let status = statuses[id] else {
                orphans.append(id)
                logger.warning("orphan job folder: the database has no job with this id; left as it is",
                               metadata: ["folder": "\(folder.path)"])
                continue
            }
            // On a shared store a running job belongs to a node that may be recording its end.
            guard status == .queued || (status == .running && !store.isShared) else { continue }
            if finishFromResultFile(id, was: status) { finished.append(id) }
        }
        logger.log(level: finished.isEmpty && orphans.isEmpty ? .info : .notice,
                   "reconciled the job folders with the database", metadata: [
            "folders": "\(folders.count)", "succeeded_from_result_file": "\(finished.count)", "orphans": "\(orphans.count)",
        ])
    }

    /// A queued or running job whose folder holds `result.json` had finished: marks it
    /// succeeded with that result (logged, and said in the job's log). False when there is
    /// no result file, or it cannot be read (then the job runs as the database says).
    func finishFromResultFile(_ id: String, was status: JobStatus, lease: JobLease? = nil) -> Bool {
        let resultFile = directory(of: id).appendingPathComponent("result.json")
        guard FileManager.default.fileExists(atPath: resultFile.path) else { return false }
        do {
            let result = try JSONDecoder().decode(TrainingResult.self, from: Data(contentsOf: resultFile))
            _ = try store.appendLog(jobID: id, lines: [
                "the database had this job \(status.rawValue), but its folder holds result.json: " +
                "marked succeeded with that result instead of running it again",
            ], lease: lease)
            // The log first: the job's lease (a claim) ends with the finish.
            _ = try store.finishFromResultFile(id: id, resultJSON: result.json(), lease: lease)
            logger.notice("job marked succeeded from its result.json instead of running it again",
                          metadata: ["job": "\(id)", "database_status": "\(status.rawValue)"])
            return true
        } catch {
            logger.error("unreadable result.json in a job folder; the job runs as the database says",
                         metadata: ["job": "\(id)", "error": "\(error)"])
            return false
        }
    }
}
