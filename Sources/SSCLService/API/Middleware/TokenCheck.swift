import SSCLHTTP

/// With a token configured, every `/v1` request needs `Authorization: Bearer <token>`
/// (compared in constant time). The dashboard's files and `/healthz` stay open.
struct TokenCheck: APIMiddleware {
    let configuration: ServiceConfiguration

    func handle(_ request: HTTPRequest, next: (HTTPRequest) throws -> HTTPResponse) throws -> HTTPResponse {
        guard let token = configuration.token, Self.isAPI(request.path) else { return try next(request) }
        let given = request.headers["Authorization"].flatMap { value -> String? in
            let parts = value.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : nil
        }
        guard let given, Self.constantTimeEqual(given, token) else {
            throw APIError(status: 401, code: "unauthorized", message: "this server needs Authorization: Bearer <token>",
                           headers: ["WWW-Authenticate": "Bearer"])
        }
        return try next(request)
    }

    func responses(for route: Route) -> [Route.Response] {
        route.isAPI ? [.error(401, "The server has a token and the request does not carry it")] : []
    }

    static func isAPI(_ path: String) -> Bool {
        path.hasPrefix("/v1/") || path == "/v1"
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
