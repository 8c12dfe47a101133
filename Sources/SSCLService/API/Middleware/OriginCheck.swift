import Foundation
import SSCLHTTP

/// Without a token, state-changing requests from another origin (a web page the user
/// visits) are refused: the browser sends `Origin` on cross-origin POSTs. With a token, `/v1`
/// requests are authenticated by it instead (and may come from anywhere that holds it).
struct OriginCheck: APIMiddleware {
    let configuration: ServiceConfiguration

    func handle(_ request: HTTPRequest, next: (HTTPRequest) throws -> HTTPResponse) throws -> HTTPResponse {
        let authenticated = configuration.token != nil && TokenCheck.isAPI(request.path)
        guard !authenticated, request.method != "GET", let origin = request.headers["Origin"] else { return try next(request) }
        let originHost = URL(string: origin).map { u in u.host.map { h in u.port.map { "\(h):\($0)" } ?? h } ?? "" } ?? ""
        let host = request.addressedAuthority ?? ""
        guard !originHost.isEmpty, originHost.lowercased() == host.lowercased() else {
            throw APIError(status: 403, code: "cross_origin",
                           message: "cross-origin \(request.method) requests are refused without a token")
        }
        return try next(request)
    }

    func responses(for route: Route) -> [Route.Response] {
        route.method == "GET" ? [] : [.error(403, "A cross-origin request (its Origin is not this server) without a token")]
    }
}
