import Foundation
import SSCLEngine
import SSCLHTTP
import SSCLStore

/// The false-negative diagnostics of a job: its similarity histograms. (The `fn_*` rates are
/// metric series: `GET /v1/jobs/{id}/metrics?name=fn_rate_hard`.)
extension APIRouter {
    /// How many histograms `GET /v1/jobs/{id}/similarity_histograms` returns without `last`.
    static let defaultHistogramCount = 100

    /// The body of `GET /v1/jobs/{id}/similarity_histograms`.
    struct SimilarityHistogramList: Encodable {
        /// Oldest first, one per step.
        var histograms: [SimilarityHistogram]
        /// The newest event id when they were read: continue the event stream after it.
        var lastEventID: Int64

        enum CodingKeys: String, CodingKey { case histograms, lastEventID = "last_event_id" }
    }

    /// The job's `last` most recent histograms, oldest first. A step stored twice (a run resumed
    /// from a checkpoint measures the steps after it again) is returned once, as written last.
    func jobSimilarityHistograms(_ id: String, _ query: QueryValues) throws -> HTTPResponse {
        _ = try job(id)
        let last = query.int("last") ?? Self.defaultHistogramCount
        // Read before the histograms: continuing the event stream after it misses none.
        let cursor = try store.lastEventID(jobID: id)
        let decoder = JSONDecoder()
        var byStep: [Int: SimilarityHistogram] = [:]
        for data in try store.similarityHistograms(jobID: id) {
            // Written by this service from the same type; a row that does not decode is skipped.
            guard let histogram = try? decoder.decode(SimilarityHistogram.self, from: Data(data.utf8)) else { continue }
            byStep[histogram.step] = histogram
        }
        let histograms = byStep.keys.sorted().suffix(last).map { byStep[$0]! }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .json(200, try encoder.encode(SimilarityHistogramList(histograms: histograms, lastEventID: cursor)))
    }
}
