import Foundation

/// What other threads ask of the event loop; delivered in order through `LoopMailbox`.
enum LoopMessage: Sendable {
    /// A handler finished the request in flight on this connection.
    case response(connectionID: UInt64, HandledRequest)
    /// Formatted event-stream bytes to append.
    case streamData(connectionID: UInt64, Data)
    /// The application closed the stream: flush, then close the connection.
    case streamEnd(connectionID: UInt64)
    /// Stop accepting; finish in-flight requests until `deadline` (monotonic seconds).
    case shutdown(deadline: Double)
}

/// A request and its response, ready for the loop to write: files are already open
/// (blocking I/O stays on handler threads) and streams have their writer.
struct HandledRequest: Sendable {
    enum Payload: Sendable {
        case data(Data)
        case file(descriptor: Int32, size: Int)
        case stream(EventStreamWriter?)
    }

    var request: HTTPRequest
    var status: Int
    var headers: HTTPHeaders
    var payload: Payload
    var receivedAt: Double
}
