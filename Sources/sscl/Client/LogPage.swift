import SSCLStore

/// `GET /v1/jobs/{id}/logs`: lines (the same objects as `log` events) and the event cursor
/// read before them, after which `--follow` continues on the event stream.
struct LogPage: Decodable, Sendable {
    var lines: [LogEventData]
    var lastEventID: Int64?

    enum CodingKeys: String, CodingKey {
        case lines, lastEventID = "last_event_id"
    }
}
