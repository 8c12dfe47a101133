import Foundation

/// `GET /v1/jobs`: a page of jobs (without metrics) and the cursor of the next page.
struct JobListDocument: Encodable {
    var jobs: [JobDocument]
    /// Null on the last page.
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case jobs
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(jobs, forKey: .jobs)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}
