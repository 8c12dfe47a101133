import SSCLHTTP

/// DNS rebinding: on a loopback bind, only the bound address, localhost and configured names
/// are accepted as the addressed host (`Host`, or the authority of an absolute-form target).
struct HostCheck: APIMiddleware {
    let configuration: ServiceConfiguration

    func handle(_ request: HTTPRequest, next: (HTTPRequest) throws -> HTTPResponse) throws -> HTTPResponse {
        if let authority = RequestTarget(request.target).authority, authority.isEmpty || authority.contains("@") {
            // RFC 9110 §4.2.4: a userinfo in an http URI is an error (it is how `http://good@evil/` fools readers).
            throw APIError.badRequest("the request target's authority must be a host with an optional port, without user information")
        }
        guard configuration.isLoopback, let host = request.addressedAuthority else {
            return try next(request)  // HTTP/1.0 without Host, or a public bind (which needs a token)
        }
        let name = Self.hostName(host).lowercased()
        let allowed = Set(["127.0.0.1", "localhost", "::1", configuration.host.lowercased()]
                          + configuration.allowedHosts.map { $0.lowercased() })
        guard allowed.contains(name) else {
            throw APIError(status: 421, code: "misdirected_request",
                           message: "Host \(host) is not served here; use --allowed-host to accept it")
        }
        return try next(request)
    }

    func responses(for route: Route) -> [Route.Response] {
        [.error(400, "The request target's authority is empty or holds user information"),
         .error(421, "The Host (or the target's authority) is not a name this loopback server answers to")]
    }

    /// `host:port`, `[::1]:port` or `host` → the name.
    static func hostName(_ value: String) -> String {
        if value.hasPrefix("["), let end = value.firstIndex(of: "]") {
            return String(value[value.index(after: value.startIndex)..<end])
        }
        if let colon = value.lastIndex(of: ":"), value.filter({ $0 == ":" }).count == 1 {
            return String(value[..<colon])
        }
        return value
    }
}
