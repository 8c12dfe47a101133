/// `GET /v1/jobs`: one page of jobs, newest first.
struct JobList: Decodable, Sendable {
    var jobs: [JobDocument]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case jobs, nextCursor = "next_cursor"
    }
}
