/// A `log` event: `{"id", "line", "time"}`, one per line; `id` is the line's id in `log`.
/// Public and decodable for the `sscl` client, which reads these events and the same
/// objects from `GET /v1/jobs/{id}/logs`.
public struct LogEventData: Codable, Sendable, Equatable {
    public var id: Int64
    public var line: String
    /// RFC 3339 UTC.
    public var time: String

    public init(id: Int64, line: String, time: String) {
        self.id = id
        self.line = line
        self.time = time
    }
}
