import Foundation

/// The similarity histograms of the false-negative diagnostics: `similarity_histogram` events
/// whose data is the engine's `SimilarityHistogram` JSON, kept as written (the store does not
/// read them; the service encodes and decodes them with that one type).
extension JobStore {
    /// Appends one `similarity_histogram` event with `dataJSON` as its data.
    public func appendSimilarityHistogram(jobID: String, dataJSON: String, lease: JobLease? = nil) throws {
        try database.write { db in
            try checkLease(db, lease)
            _ = try JobRecord.require(db, id: jobID)
            try appendEvent(db, jobID: jobID, type: .similarityHistogram, dataJSON: dataJSON, time: now())
        }
        didAppendEvents(jobIDs: [jobID])
    }

    /// The data of the job's `similarity_histogram` events, oldest first (a resumed run may
    /// have written a step twice; both are returned).
    public func similarityHistograms(jobID: String) throws -> [String] {
        try database.read { db in
            try db.column(String.self, """
                SELECT data_json FROM event
                WHERE job_id = ? AND type = 'similarity_histogram' ORDER BY id
                """, jobID)
        }
    }
}
