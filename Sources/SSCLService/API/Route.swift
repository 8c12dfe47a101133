import Foundation
import SSCLHTTP

/// One endpoint of the API, declared once in `APIRouter.routes`: the router dispatches on it
/// and validates its query with it, and `OpenAPIDocument` describes it from it, so adding an
/// endpoint is one entry and the three cannot drift apart.
struct Route: Sendable {
    let method: String
    /// Path with `{id}` placeholders.
    let pattern: String
    let operationID: String
    let summary: String
    /// Every query parameter the route accepts; any other name is answered with 400.
    var query: [QueryParameter] = []
    /// Request headers worth documenting (`Idempotency-Key`, `Last-Event-ID`); their handlers check them.
    var headers: [QueryParameter] = []
    var body: RequestBody = .none
    /// What the handler itself answers; the steps in front of it add theirs
    /// (`APIRouter.documentedResponses(of:)`).
    let responses: [Response]
    let handler: @Sendable (APIRouter, Call) throws -> HTTPResponse

    /// What a handler gets: the request, the `{id}` value ("" when the pattern has none) and
    /// the query, already validated against `query`.
    struct Call {
        let request: HTTPRequest
        let id: String
        let query: QueryValues
    }

    enum RequestBody: Sendable {
        case none
        /// A JSON object matching a schema of `OpenAPIDocument`; `required` false for an optional one.
        case json(schema: String, required: Bool)
        /// The raw bytes of a file (any of these content types), streamed to disk by the server.
        case file(contentTypes: [String])
        /// A JSON object matching a schema, or the raw bytes of one file of `fileTypes` (embed and
        /// neighbours take rows as JSON or one image).
        case jsonOrFile(schema: String, fileTypes: [String])
    }

    /// One documented answer.
    struct Response: Sendable {
        enum Content: Sendable {
            case none
            /// `application/json` with a schema of `OpenAPIDocument` (`Error` for the error shape).
            case json(schema: String)
            case binary
            case text(contentType: String)
            case eventStream
        }

        let status: Int
        let description: String
        let content: Content

        static func ok(_ schema: String, _ description: String = "OK", status: Int = 200) -> Response {
            Response(status: status, description: description, content: .json(schema: schema))
        }

        static func error(_ status: Int, _ description: String) -> Response {
            Response(status: status, description: description, content: .json(schema: "Error"))
        }
    }

    var hasIDParameter: Bool { pattern.contains("{id}") }
    /// `/v1` routes need the token (when the server has one).
    var isAPI: Bool { pattern.hasPrefix("/v1/") }

    /// Matches `path`, returning the `{id}` value (or "" when the pattern has none).
    func match(_ path: String) -> String? {
        let want = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let have = path.split(separator: "/", omittingEmptySubsequences: false)
        guard want.count == have.count else { return nil }
        var id = ""
        for (w, h) in zip(want, have) {
            if w == "{id}" {
                guard !h.isEmpty else { return nil }
                id = String(h)
            } else if w.hasPrefix("{") {
                // Another placeholder (`{index}`): any non-empty segment; its handler reads it.
                guard !h.isEmpty else { return nil }
            } else if w != h {
                return nil
            }
        }
        return id
    }
}
