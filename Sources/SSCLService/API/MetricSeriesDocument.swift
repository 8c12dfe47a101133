import Foundation
import SSCLStore

/// `GET /v1/jobs/{id}/metrics`: each series' points (a non-finite value is null) and the
/// job's newest event id read before them, to continue the event stream from.
struct MetricSeriesDocument: Encodable {
    var metrics: [Series]
    var lastEventID: Int64

    struct Series: Encodable {
        var name: String
        var points: [Point]
    }

    struct Point: Encodable {
        var step: Int
        var value: Double?
        var time: String

        init(_ point: MetricPoint) {
            step = point.step
            value = point.value.isFinite ? point.value : nil
            time = RFC3339.string(from: point.time)
        }

        enum CodingKeys: String, CodingKey { case step, value, time }

        /// A non-finite value is `null`, not left out.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(step, forKey: .step)
            try c.encode(value, forKey: .value)
            try c.encode(time, forKey: .time)
        }
    }

    enum CodingKeys: String, CodingKey {
        case metrics
        case lastEventID = "last_event_id"
    }
}
