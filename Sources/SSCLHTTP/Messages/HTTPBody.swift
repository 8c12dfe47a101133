import Foundation

/// What follows the response head.
public enum HTTPBody: Sendable {
    /// Bytes held in memory, sent with their `Content-Length`.
    case data(Data)
    /// A regular file, opened on the handler thread and streamed from disk as the socket
    /// accepts it (a model download never sits in memory). A missing file becomes a 404.
    case file(URL, contentType: String)
    /// A Server-Sent Events stream. The closure is called once, on a handler thread, right
    /// after the response head is queued; it must return promptly and keep the writer to push
    /// events later. The connection closes when the writer or the client does.
    case eventStream(@Sendable (EventStreamWriter) -> Void)
}
