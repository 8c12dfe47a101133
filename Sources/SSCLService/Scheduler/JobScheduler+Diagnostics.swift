import Foundation
import SSCLEngine
import SSCLStore

/// The false-negative diagnostics' histograms, turned into store writes. Runs on the
/// scheduler's queue. (Their rates are metric points, stored like the loss.)
extension JobScheduler {
    /// Stores a reported histogram as a `similarity_histogram` event, after the points buffered
    /// before it (its step's rates among them), so a stream sees the rates first. The worker
    /// reports histograms on a thinning schedule (`SimilarityHistogram.reports`), which keeps
    /// these events few however long the run.
    func record(_ histogram: SimilarityHistogram, of job: RunningJob) {
        flush(job, force: true)
        guard !job.fenced else { return }
        do {
            try store.appendSimilarityHistogram(jobID: job.id, dataJSON: histogram.json(), lease: job.lease)
        } catch StoreError.leaseLost {
            leaseLost(job)
        } catch {
            logger.error("cannot record a similarity histogram", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }
}
