import Foundation

/// Why a client command failed, worded for the terminal: one line for an unreachable server,
/// the server's message and one line per invalid field for an API error.
enum ClientError: Error, CustomStringConvertible {
    /// No HTTP answer at all (refused, DNS, timeout).
    case unreachable(server: String, reason: String)
    /// An HTTP answer that is not 2xx; `body` is the API's error shape when it has it.
    case server(status: Int, request: String, body: APIErrorBody?, text: String)
    /// A 2xx answer the client cannot read.
    case unreadable(request: String, reason: String)
    /// A local problem (a file that cannot be read).
    case local(String)

    var description: String {
        switch self {
        case let .unreachable(server, reason):
            return "error: cannot reach the server at \(server): \(reason)"
        case let .server(status, request, body, text):
            guard let body else {
                let snippet = text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)
                return "error: \(request) answered HTTP \(status)" + (snippet.isEmpty ? "" : ": \(snippet)")
            }
            var lines = ["error: \(body.error.message) (HTTP \(status) \(body.error.code))"]
            for detail in body.error.details ?? [] { lines.append("  \(detail.path): \(detail.reason)") }
            return lines.joined(separator: "\n")
        case let .unreadable(request, reason):
            return "error: cannot read the answer to \(request): \(reason)"
        case let .local(message):
            return "error: \(message)"
        }
    }
}
