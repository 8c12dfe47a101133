import SSCLHTTP

/// A step in front of the route table, as in hummingbird's middleware: it refuses the request
/// (by throwing an `APIError`) or hands it to `next`. `APIRouter.middleware` is the ordered
/// list; each step can be tested alone with a `next` that records the call.
protocol APIMiddleware: Sendable {
    func handle(_ request: HTTPRequest, next: (HTTPRequest) throws -> HTTPResponse) throws -> HTTPResponse
    /// What this step can answer for `route`, for the OpenAPI document.
    func responses(for route: Route) -> [Route.Response]
}

extension HTTPRequest {
    /// The authority the client addressed: the target's own for an absolute-form target
    /// (`GET http://host/p`, RFC 9112 §3.2.2: it replaces `Host`), else the Host header.
    var addressedAuthority: String? {
        RequestTarget(target).authority ?? headers["Host"]
    }
}
