import Foundation
import SSCLStore

/// `GET /v1/jobs/{id}/logs`: log lines in order and the job's newest event id read before
/// them, to continue the event stream from.
struct LogLinesDocument: Encodable {
    var lines: [Line]
    var lastEventID: Int64

    struct Line: Encodable {
        var id: Int64
        var time: String
        var line: String

        init(_ line: LogLine) {
            id = line.id
            time = RFC3339.string(from: line.time)
            self.line = line.line
        }
    }

    enum CodingKeys: String, CodingKey {
        case lines
        case lastEventID = "last_event_id"
    }
}
