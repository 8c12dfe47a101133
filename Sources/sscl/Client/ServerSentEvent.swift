/// One dispatched Server-Sent Event.
struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field; "message" when the event named none.
    var type: String
    /// The `data:` lines joined with "\n".
    var data: String
    /// The last `id:` seen on the stream so far (the spec's "last event ID"), nil before any.
    var id: String?
}
